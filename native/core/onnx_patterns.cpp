#include "onnx_patterns.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include "onnx_tensor.h"

namespace lrp {

namespace {

class PatternFinder {
 public:
  PatternFinder(const onnx::GraphProto& graph, const std::unordered_map<std::string, int64_t>& ranks,
                const std::filesystem::path& folder)
      : graph_(graph), ranks_(ranks), folder_(folder) {
    for (const auto& t : graph.initializer()) initializers_[t.name()] = &t;
    for (const auto& o : graph.output()) outputs_.insert(o.name());
    for (const auto& n : graph.node()) {
      for (const auto& o : n.output()) producer_[o] = &n;
      for (const auto& i : n.input()) readers_[i].push_back(&n);
    }
  }

  OnnxPatterns find() {
    for (const auto& n : graph_.node()) {
      silu(n);
      paddedPool(n);
      linearBias(n);
      gelu(n);
      layerNorm(n);
    }
    return std::move(out_);
  }

 private:
  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) const {
    for (const auto& a : n.attribute()) {
      if (a.name() == name) return &a;
    }
    return nullptr;
  }

  const onnx::NodeProto* producer(const std::string& value, const char* op) const {
    auto it = producer_.find(value);
    return it != producer_.end() && it->second->op_type() == op ? it->second : nullptr;
  }

  std::vector<const onnx::NodeProto*> readers(const std::string& value) const {
    if (outputs_.count(value)) return {nullptr};  // a graph output is read from outside
    auto it = readers_.find(value);
    return it == readers_.end() ? std::vector<const onnx::NodeProto*>{} : it->second;
  }

  const onnx::NodeProto* soleReader(const std::string& value) const {
    auto r = readers(value);
    return r.size() == 1 ? r[0] : nullptr;
  }

  // A stored tensor, possibly transposed or cast on the way (an export without constant folding
  // writes a linear layer's weight as Transpose(initializer)); those are folded at import.
  bool isStored(const std::string& value) const {
    if (initializers_.count(value)) return true;
    auto it = producer_.find(value);
    if (it == producer_.end()) return false;
    const std::string& op = it->second->op_type();
    if (op == "Constant") return true;
    return (op == "Transpose" || op == "Identity" || op == "Cast") && it->second->input_size() >= 1 &&
           isStored(it->second->input(0));
  }

  // The dimensions and, when it holds one number, the value of an initializer or Constant.
  std::optional<at::Tensor> stored(const std::string& value) const {
    if (auto it = initializers_.find(value); it != initializers_.end()) return tensorFromProto(*it->second, folder_);
    const onnx::NodeProto* constant = producer(value, "Constant");
    if (!constant) return std::nullopt;
    if (const auto* a = attr(*constant, "value")) return tensorFromProto(a->t(), folder_);
    if (const auto* a = attr(*constant, "value_float")) return at::scalar_tensor(a->f(), at::kFloat);
    if (const auto* a = attr(*constant, "value_int")) return at::scalar_tensor(a->i(), at::kLong);
    return std::nullopt;
  }

  std::optional<double> storedScalar(const std::string& value) const {
    auto t = stored(value);
    if (!t || t->numel() != 1) return std::nullopt;
    return t->scalar_type() == at::kFloat ? decimalOf(t->item<float>()) : t->item<double>();
  }

  bool storedIs(const std::string& value, double expected) const {
    auto v = storedScalar(value);
    return v && std::abs(*v - expected) <= 1e-6 * std::abs(expected);
  }

  // The other input of a binary node, when one of its inputs is `value`.
  static std::optional<std::string> otherInput(const onnx::NodeProto& n, const std::string& value) {
    if (n.input_size() != 2) return std::nullopt;
    if (n.input(0) == value) return n.input(1);
    if (n.input(1) == value) return n.input(0);
    return std::nullopt;
  }

  // SiLU: x · sigmoid(x), exported as Sigmoid and Mul.
  void silu(const onnx::NodeProto& n) {
    if (n.op_type() != "Sigmoid" || n.input_size() != 1) return;
    const onnx::NodeProto* mul = soleReader(n.output(0));
    if (!mul || mul->op_type() != "Mul" || otherInput(*mul, n.output(0)) != n.input(0)) return;
    out_.fusedAway.insert(&n);
    out_.siluOf[mul] = &n;
  }

  // A zero Pad before an AveragePool: a trace's avg_pool2d with count_include_pad.
  void paddedPool(const onnx::NodeProto& n) {
    if (n.op_type() != "Pad" || n.input_size() < 2) return;
    const onnx::NodeProto* pool = soleReader(n.output(0));
    const bool zeroValue = n.input_size() < 3 || n.input(2).empty();
    const auto* mode = attr(n, "mode");
    if (pool && pool->op_type() == "AveragePool" && zeroValue && (!mode || mode->s() == "constant")) {
      out_.padOf[pool] = &n;
      out_.fusedAway.insert(&n);
    }
  }

  // A linear layer on more than 2 dimensions: MatMul by a stored weight, then Add of a stored bias.
  void linearBias(const onnx::NodeProto& n) {
    if (n.op_type() != "MatMul" || n.input_size() != 2 || !isStored(n.input(1))) return;
    const onnx::NodeProto* add = soleReader(n.output(0));
    if (!add || add->op_type() != "Add") return;
    auto bias = otherInput(*add, n.output(0));
    if (bias && isStored(*bias)) {
      out_.biasAddOf[&n] = add;
      out_.fusedAway.insert(add);
    }
  }

  // GELU's erf form, as torch.onnx.export writes nn.GELU(): (x · (erf(x / √2) + 1)) · 0.5.
  void gelu(const onnx::NodeProto& erf) {
    if (erf.op_type() != "Erf" || erf.input_size() != 1) return;
    const onnx::NodeProto* div = producer(erf.input(0), "Div");
    if (!div || div->input_size() != 2 || !storedIs(div->input(1), std::sqrt(2.0)) || soleReader(div->output(0)) != &erf) return;
    const std::string& x = div->input(0);
    const onnx::NodeProto* plusOne = soleReader(erf.output(0));
    if (!plusOne || plusOne->op_type() != "Add") return;
    auto one = otherInput(*plusOne, erf.output(0));
    if (!one || !storedIs(*one, 1.0)) return;
    const onnx::NodeProto* times = soleReader(plusOne->output(0));
    if (!times || times->op_type() != "Mul" || otherInput(*times, plusOne->output(0)) != x) return;
    const onnx::NodeProto* half = soleReader(times->output(0));
    if (!half || half->op_type() != "Mul") return;
    auto c = otherInput(*half, times->output(0));
    if (!c || !storedIs(*c, 0.5)) return;
    out_.fusedAway.insert({div, &erf, plusOne, times});
    out_.geluOf[half] = x;
  }

  // How many trailing axes a ReduceMean (keepdims) averages, when they are trailing ones.
  std::optional<int64_t> trailingAxes(const onnx::NodeProto& mean) const {
    const auto* axes = attr(mean, "axes");
    const auto* keep = attr(mean, "keepdims");
    if (!axes || axes->ints_size() == 0 || (keep && keep->i() == 0)) return std::nullopt;
    std::vector<int64_t> a(axes->ints().begin(), axes->ints().end());
    auto rank = ranks_.find(mean.input(0));
    for (auto& v : a) {
      if (v >= 0 && rank == ranks_.end()) return std::nullopt;
      if (v >= 0) v -= rank->second;
    }
    std::sort(a.begin(), a.end());
    const int64_t count = static_cast<int64_t>(a.size());
    for (int64_t k = 0; k < count; ++k) {
      if (a[k] != k - count) return std::nullopt;
    }
    return count;
  }

  // A layer norm as opsets before 17 write it (torch's symbolic): m = ReduceMean(x), d = x − m,
  // y = d / sqrt(ReduceMean(d ^ 2) + eps), then · weight and + bias when affine (stored tensors
  // over the normalized axes).
  void layerNorm(const onnx::NodeProto& div) {
    if (div.op_type() != "Div" || div.input_size() != 2) return;
    const std::string& d = div.input(0);
    const onnx::NodeProto* sub = producer(d, "Sub");
    const onnx::NodeProto* sqrt = producer(div.input(1), "Sqrt");
    if (!sub || !sqrt || sub->input_size() != 2) return;
    const std::string& x = sub->input(0);
    const onnx::NodeProto* mean = producer(sub->input(1), "ReduceMean");
    const onnx::NodeProto* plusEps = producer(sqrt->input(0), "Add");
    if (!mean || mean->input(0) != x || !plusEps || plusEps->input_size() != 2) return;
    const bool varFirst = producer(plusEps->input(0), "ReduceMean") != nullptr;
    const onnx::NodeProto* variance = producer(plusEps->input(varFirst ? 0 : 1), "ReduceMean");
    auto eps = storedScalar(plusEps->input(varFirst ? 1 : 0));
    if (!variance || !eps) return;
    const onnx::NodeProto* square = producer(variance->input(0), "Pow");
    if (!square || square->input(0) != d || !storedIs(square->input(1), 2.0)) return;
    auto axes = trailingAxes(*mean);
    if (!axes || trailingAxes(*variance) != axes) return;
    // Nothing else reads the pattern's inner values.
    auto readersOf = [&](const std::string& v) {
      auto r = readers(v);
      std::sort(r.begin(), r.end());
      return r;
    };
    std::vector<const onnx::NodeProto*> dReaders = {square, &div};
    std::sort(dReaders.begin(), dReaders.end());
    if (soleReader(mean->output(0)) != sub || readersOf(d) != dReaders || soleReader(square->output(0)) != variance ||
        soleReader(variance->output(0)) != plusEps || soleReader(plusEps->output(0)) != sqrt ||
        soleReader(sqrt->output(0)) != &div) {
      return;
    }
    LayerNormPattern p{x, *axes, *eps, "", ""};
    const onnx::NodeProto* last = &div;
    out_.fusedAway.insert({mean, sub, square, variance, plusEps, sqrt});
    auto affine = [&](const char* op, std::string& into) {
      const onnx::NodeProto* next = soleReader(last->output(0));
      if (!next || next->op_type() != op) return false;
      auto other = otherInput(*next, last->output(0));
      auto t = other ? stored(*other) : std::nullopt;
      if (!t || t->dim() != *axes) return false;
      into = *other;
      out_.fusedAway.insert(last);
      last = next;
      return true;
    };
    if (affine("Mul", p.weight)) affine("Add", p.bias);
    out_.layerNormOf[last] = p;
  }

  const onnx::GraphProto& graph_;
  const std::unordered_map<std::string, int64_t>& ranks_;
  const std::filesystem::path& folder_;
  std::map<std::string, const onnx::TensorProto*> initializers_;
  std::set<std::string> outputs_;
  std::map<std::string, const onnx::NodeProto*> producer_;
  std::map<std::string, std::vector<const onnx::NodeProto*>> readers_;
  OnnxPatterns out_;
};

}  // namespace

OnnxPatterns findOnnxPatterns(const onnx::GraphProto& graph, const std::unordered_map<std::string, int64_t>& ranks,
                              const std::filesystem::path& folder) {
  return PatternFinder(graph, ranks, folder).find();
}

}  // namespace lrp
