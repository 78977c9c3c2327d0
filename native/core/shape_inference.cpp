#include "shape_inference.h"

#include "input_checks.h"

namespace lrp {

namespace {

using Kind = SizeExpr::Kind;
using MaybeSize = std::optional<SizeExpr>;

struct UnknownSize {};

MaybeSize combine(Kind kind, const MaybeSize& a, const MaybeSize& b) {
  if (!a || !b) return std::nullopt;
  return SizeExpr::binary(kind, *a, *b);
}

MaybeSize constant(int64_t v) { return SizeExpr::constant(v); }

// floor((size + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1, PyTorch's output size.
MaybeSize windowOutput(const MaybeSize& size, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation) {
  MaybeSize numerator = combine(Kind::Add, size, constant(2 * padding - dilation * (kernel - 1) - 1));
  return combine(Kind::Add, combine(Kind::FloorDiv, numerator, constant(stride)), constant(1));
}

int64_t wrap(int64_t dim, int64_t rank) { return dim < 0 ? dim + rank : dim; }

}  // namespace

ShapeInfo::ShapeInfo(const Graph& graph) {
  const int n = graph.size();
  shapes_.resize(n);
  isInput_.assign(n, false);
  auto inputDim = [](int node, int64_t k) -> MaybeSize { return SizeExpr::dim(node, k); };
  // Ranks known from the readers: convolutions and 2-d poolings need rank 4, element-wise ops and
  // batch norms pass their reader's requirement on.
  std::vector<int64_t> required(n, -1);
  std::vector<bool> readByFeatureLayer(n, false);
  for (int id = n - 1; id >= 0; --id) {
    const Node& node = graph.node(id);
    if (node.inputs.empty()) continue;
    int source = node.inputs[0];
    switch (node.op) {
      case Op::Conv2d:
      case Op::MaxPool2d:
      case Op::AvgPool2d:
      case Op::AdaptiveAvgPool2d:
        required[source] = 4;
        break;
      case Op::BatchNorm:
      case Op::Linear:
        readByFeatureLayer[source] = true;
        if (required[id] >= 0) required[source] = required[id];
        break;
      case Op::Relu:
      case Op::ThreshRelu:
      case Op::Silu:
      case Op::Sigmoid:
        if (required[id] >= 0) required[source] = required[id];
        if (readByFeatureLayer[id]) readByFeatureLayer[source] = true;
        break;
      default:
        break;
    }
  }
  for (int id = 0; id < n; ++id) {
    const Node& node = graph.node(id);
    const Attributes& a = node.attrs;
    const std::optional<StaticDims> in = node.inputs.empty() ? std::nullopt : shapes_[node.inputs[0]];
    const int64_t r = in ? static_cast<int64_t>(in->size()) : -1;
    std::optional<StaticDims> out;
    auto same = [&]() { return in; };
    switch (node.op) {
      case Op::Input: {
        isInput_[id] = true;
        InputExpectation e = expectationFor(graph, id);
        int64_t rank = node.attrs.has("rank") ? node.attrs.i("rank") : (e.rank >= 0 ? e.rank : required[id]);
        if (rank < 0 && readByFeatureLayer[id]) {
          rank = 2;
          assumedRank2_.push_back(id);
        }
        if (rank >= 0) {
          StaticDims dims;
          for (int64_t k = 0; k < rank; ++k) dims.push_back(inputDim(id, k));
          int64_t featureDim = e.featureDim == -2 ? rank - 1 : e.featureDim;
          if (e.features >= 0 && featureDim >= 0 && featureDim < rank) dims[featureDim] = constant(e.features);
          out = dims;
        }
        break;
      }
      case Op::Constant: {
        StaticDims dims;
        for (int64_t s : node.param("value").sizes()) dims.push_back(constant(s));
        out = dims;
        break;
      }
      case Op::Conv2d:
        if (r == 4) {
          const auto& k = node.param("weight").sizes();
          const auto &st = a.ints("stride"), &pad = a.ints("padding"), &dil = a.ints("dilation");
          out = StaticDims{(*in)[0], constant(k[0]), windowOutput((*in)[2], k[2], st[0], pad[0], dil[0]),
                           windowOutput((*in)[3], k[3], st[1], pad[1], dil[1])};
        }
        break;
      case Op::Linear:
        if (r >= 1) {
          out = in;
          out->back() = constant(node.param("weight").size(0));
        }
        break;
      case Op::BatchNorm:
      case Op::ThreshRelu: {
        out = same();
        const at::Tensor& perChannel = node.param(node.op == Op::BatchNorm ? "running_mean" : "threshold");
        if (out && out->size() >= 2) (*out)[1] = constant(perChannel.size(0));
        break;
      }
      case Op::Relu:
      case Op::Silu:
      case Op::Sigmoid:
        out = same();
        break;
      case Op::MaxPool2d:
      case Op::AvgPool2d:
        if (r == 4) {
          out = StaticDims{(*in)[0], (*in)[1], std::nullopt, std::nullopt};
          if (!a.b("ceil_mode")) {
            const auto &k = a.ints("kernel"), &st = a.ints("stride"), &pad = a.ints("padding");
            std::vector<int64_t> dil = node.op == Op::MaxPool2d ? a.ints("dilation") : std::vector<int64_t>{1, 1};
            for (int d = 0; d < 2; ++d) (*out)[2 + d] = windowOutput((*in)[2 + d], k[d], st[d], pad[d], dil[d]);
          }
        }
        break;
      case Op::AdaptiveAvgPool2d:
        if (r == 4) {
          const auto& size = a.ints("output_size");
          out = StaticDims{(*in)[0], (*in)[1], constant(size[0]), constant(size[1])};
        }
        break;
      case Op::Flatten:
        if (r >= 0) {
          int64_t start = wrap(a.i("start"), r), end = wrap(a.i("end"), r);
          StaticDims dims(in->begin(), in->begin() + start);
          MaybeSize merged = constant(1);
          for (int64_t k = start; k <= end; ++k) merged = combine(Kind::Mul, merged, (*in)[k]);
          dims.push_back(merged);
          dims.insert(dims.end(), in->begin() + end + 1, in->end());
          out = dims;
        }
        break;
      case Op::Reshape: {
        const SizeList& shape = a.sizes("shape");
        StaticDims dims(shape.begin(), shape.end());
        for (size_t k = 0; k < shape.size(); ++k) {
          if (!(shape[k].isConstant() && shape[k].constantValue() == -1)) continue;
          // -1: the input's element count over the product of the other entries.
          MaybeSize total = in ? constant(1) : std::nullopt, others = constant(1);
          if (in) for (const auto& s : *in) total = combine(Kind::Mul, total, s);
          for (size_t j = 0; j < shape.size(); ++j) if (j != k) others = combine(Kind::Mul, others, shape[j]);
          dims[k] = combine(Kind::FloorDiv, total, others);
        }
        out = dims;
        break;
      }
      case Op::Add:
      case Op::Mul:
        if (node.inputs.size() == 1) {
          out = same();
        } else {
          const auto& other = shapes_[node.inputs[1]];
          if (in && other) {
            // Broadcasting: align right; a static 1 takes the other side's size.
            const StaticDims& big = in->size() >= other->size() ? *in : *other;
            const StaticDims& small = in->size() >= other->size() ? *other : *in;
            StaticDims dims = big;
            size_t shift = big.size() - small.size();
            for (size_t k = 0; k < small.size(); ++k) {
              const MaybeSize& s = small[k];
              bool bigIsOne = big[shift + k] && big[shift + k]->isConstant() && big[shift + k]->constantValue() == 1;
              if (bigIsOne) dims[shift + k] = s;
            }
            out = dims;
          }
        }
        break;
      case Op::Cat:
        if (r >= 0) {
          int64_t dim = wrap(a.i("dim"), r);
          StaticDims dims = *in;
          for (size_t k = 1; k < node.inputs.size(); ++k) {
            const auto& other = shapes_[node.inputs[k]];
            dims[dim] = other ? combine(Kind::Add, dims[dim], (*other)[dim]) : std::nullopt;
          }
          out = dims;
        }
        break;
      case Op::Sum:
      case Op::Mean:
        if (r >= 0) {
          const auto& list = a.ints("dims");
          std::vector<bool> reduced(r, list.empty());
          for (int64_t d : list) reduced[wrap(d, r)] = true;
          StaticDims dims;
          for (int64_t k = 0; k < r; ++k) {
            if (!reduced[k]) dims.push_back((*in)[k]);
            else if (a.b("keepdim")) dims.push_back(constant(1));
          }
          out = dims;
        }
        break;
      case Op::Unsqueeze:
        if (r >= 0) {
          out = in;
          out->insert(out->begin() + wrap(a.i("dim"), r + 1), constant(1));
        }
        break;
      case Op::Expand: {
        const SizeList& shape = a.sizes("shape");
        StaticDims dims(shape.begin(), shape.end());
        for (size_t k = 0; k < shape.size(); ++k) {
          if (shape[k].isConstant() && shape[k].constantValue() == -1) {
            int64_t j = static_cast<int64_t>(k) - static_cast<int64_t>(shape.size()) + r;
            dims[k] = (in && j >= 0) ? (*in)[j] : std::nullopt;
          }
        }
        out = dims;
        break;
      }
      case Op::Repeat: {
        const SizeList& repeats = a.sizes("repeats");
        StaticDims dims;
        for (size_t k = 0; k < repeats.size(); ++k) {
          int64_t j = static_cast<int64_t>(k) - static_cast<int64_t>(repeats.size()) + r;
          MaybeSize base = !in ? std::nullopt : (j >= 0 ? (*in)[j] : constant(1));
          dims.push_back(combine(Kind::Mul, repeats[k], base));
        }
        out = dims;
        break;
      }
      case Op::Permute:
        if (r >= 0) {
          StaticDims dims;
          for (int64_t d : a.ints("dims")) dims.push_back((*in)[wrap(d, r)]);
          out = dims;
        }
        break;
      case Op::Transpose:
        if (r >= 0) {
          out = in;
          std::swap((*out)[wrap(a.i("dim0"), r)], (*out)[wrap(a.i("dim1"), r)]);
        }
        break;
    }
    shapes_[id] = out;
  }
}

int64_t ShapeInfo::rank(int node) const {
  const auto& s = shapes_.at(node);
  return s ? static_cast<int64_t>(s->size()) : -1;
}

int64_t ShapeInfo::normalizeDim(int node, int64_t dim) const {
  int64_t r = rank(node);
  if (r < 0) return -1;
  int64_t d = wrap(dim, r);
  return (d >= 0 && d < r) ? d : -1;
}

// probe < 0: inputs' sizes are unknown; probe >= 0: each input dimension gets an arbitrary size.
std::optional<int64_t> ShapeInfo::evaluate(const SizeExpr& expr, int probe) const {
  std::function<int64_t(int, int64_t)> sizeOf = [&](int node, int64_t dim) -> int64_t {
    int64_t d = normalizeDim(node, dim);
    if (d < 0) throw UnknownSize{};
    if (isInput_.at(node)) {
      if (probe < 0) throw UnknownSize{};
      return 3 + (static_cast<int64_t>(node) * 7919 + d * 104729 + probe * 1299709) % 61;
    }
    const auto& size = (*shapes_[node])[d];
    if (!size) throw UnknownSize{};
    return size->evaluate(sizeOf);
  };
  try {
    return expr.evaluate(sizeOf);
  } catch (const UnknownSize&) {
    return std::nullopt;
  }
}

std::optional<int64_t> ShapeInfo::staticValue(const SizeExpr& expr) const { return evaluate(expr, -1); }

std::optional<int64_t> ShapeInfo::staticSize(int node, int64_t dim) const {
  int64_t d = normalizeDim(node, dim);
  if (d < 0 || !(*shapes_[node])[d]) return std::nullopt;
  const SizeExpr& size = *(*shapes_[node])[d];
  if (auto value = staticValue(size)) return value;
  // A size written through the inputs' sizes that comes out the same whatever they are: the
  // channels of `reshape(n, h * w, -1)` over (n, h, w, C) are C for every n, h and w.
  auto first = evaluate(size, 0);
  return first && sameSize(size, SizeExpr::constant(*first)) ? first : std::nullopt;
}

bool ShapeInfo::sameSize(const SizeExpr& a, const SizeExpr& b) const {
  for (int probe = 0; probe < 3; ++probe) {
    auto x = evaluate(a, probe), y = evaluate(b, probe);
    if (!x || !y || *x != *y) return false;
  }
  return true;
}

}  // namespace lrp
