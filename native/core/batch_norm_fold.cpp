#include "batch_norm_fold.h"

#include <algorithm>
#include <map>
#include <set>

#include "errors.h"
#include "ops/op_table.h"

namespace lrp {

namespace {

std::string label(const Node& node) { return std::string(opName(node.op)) + " '" + node.name + "'"; }

// Readers of `value` as a data input (size reads do not see values), each once.
std::vector<int> dataReaders(const Graph& graph, int value) {
  std::vector<int> readers;
  for (int id = value + 1; id < graph.size(); ++id) {
    const auto& in = graph.node(id).inputs;
    if (std::find(in.begin(), in.end(), value) != in.end()) readers.push_back(id);
  }
  return readers;
}

bool isOutput(const Graph& graph, int value) {
  const auto& outs = graph.outputs();
  return std::find(outs.begin(), outs.end(), value) != outs.end();
}

at::Tensor f64(const at::Tensor& t) { return t.to(at::kDouble); }

// Folded parameters stay in float64: a float64 plan then computes the canonized function exactly
// (up to float64 round-off), and a float32 plan rounds each parameter once.
void setParam(Node& node, const std::string& key, const at::Tensor& value) {
  node.params[key] = value.contiguous();
}

// Where the channels of an affine map sit in a tensor on the way to the layers that absorb it:
// along `dim`, channel c occupies positions offset + c·inner + j for 0 ≤ j < inner. inner = -1:
// the channels were flattened with dimensions whose size is known only at run time, and fill the
// whole axis (offset 0), so the absorbing layer's width fixes inner.
struct Layout {
  int64_t dim = 1, offset = 0, inner = 1;
};
constexpr int64_t kFillsAxis = -1;

// For each absorbing conv/linear layer: input position → channel of the affine map.
struct Absorption {
  std::map<int, std::map<int64_t, int64_t>> channelAt;
  bool needsPositiveScale = false;  // a max pooling lies on a path
  bool throughConcat = false;
};

class AbsorberSearch {
 public:
  AbsorberSearch(const Graph& graph, const ShapeInfo& shapes, int64_t channels)
      : graph_(graph), shapes_(shapes), channels_(channels) {}

  // Empty string when every path from `value` ends in a layer that can absorb the map.
  std::string run(int value, Absorption& out) {
    out_ = &out;
    if (shapes_.rank(value) < 2) return "the rank of " + label(graph_.node(value)) + " is not known before it runs";
    return visit(value, Layout{});
  }

 private:
  std::optional<SizeExpr> product(const StaticDims& dims, int64_t begin, int64_t end) const {
    SizeExpr p = SizeExpr::constant(1);
    for (int64_t k = begin; k < end; ++k) {
      if (!dims[k]) return std::nullopt;
      p = SizeExpr::binary(SizeExpr::Kind::Mul, p, *dims[k]);
    }
    return p;
  }

  std::string visit(int value, const Layout& layout) {
    if (isOutput(graph_, value)) return label(graph_.node(value)) + " is a model output";
    for (int reader : dataReaders(graph_, value)) {
      const auto& in = graph_.node(reader).inputs;
      for (size_t k = 0; k < in.size(); ++k) {
        if (in[k] != value) continue;
        std::string reason = step(value, layout, reader, k);
        if (!reason.empty()) return reason;
      }
    }
    return "";
  }

  std::string absorb(int reader, Layout layout, int64_t features) {
    if (layout.inner == kFillsAxis) {
      if (features % channels_ != 0) return label(graph_.node(reader)) + " input width is not a multiple of the channels";
      layout.inner = features / channels_;
    }
    auto& map = out_->channelAt[reader];
    for (int64_t c = 0; c < channels_; ++c) {
      for (int64_t j = 0; j < layout.inner; ++j) {
        int64_t position = layout.offset + c * layout.inner + j;
        if (position >= features || !map.emplace(position, c).second) {
          return label(graph_.node(reader)) + " input positions do not match the channels";
        }
      }
    }
    return "";
  }

  std::string step(int value, const Layout& layout, int reader, size_t inputIndex) {
    const Node& node = graph_.node(reader);
    const Attributes& a = node.attrs;
    const int64_t rank = shapes_.rank(value), d = layout.dim;
    const std::string notLinear = "feeds " + label(node) + ", which is not linear";
    auto onSpatial = [&]() { return rank != 4 || d == 2 || d == 3; };
    switch (opInfo(node.op).channelFlow) {
      case ChannelFlow::Absorbs: {
        // Conv reads channels along dimension 1 of a rank-4 input, linear its last dimension.
        const InputRequirement required = inputRequirement(node);
        const bool lastDim = required.featureDim == kLastDim;
        const bool offAxis = lastDim ? d != rank - 1
                                     : (required.rank >= 0 && rank != required.rank) || d != required.featureDim ||
                                           layout.inner != 1;
        if (offAxis) {
          return "reaches " + label(node) + " off its " + (lastDim ? "feature" : "channel") + " axis";
        }
        return absorb(reader, layout, required.features);
      }
      case ChannelFlow::MaxWindow:
        out_->needsPositiveScale = true;
        if (onSpatial()) return notLinear;
        return visit(reader, layout);
      case ChannelFlow::AverageWindow: {
        bool padded = std::any_of(a.ints("padding").begin(), a.ints("padding").end(), [](int64_t p) { return p; });
        if (onSpatial() || a.i("divisor") > 0 || (padded && a.b("count_include_pad"))) {
          return "feeds " + label(node) + ", whose zero padding or divisor does not commute with a shift";
        }
        return visit(reader, layout);
      }
      case ChannelFlow::AdaptiveAverage:
        if (onSpatial()) return notLinear;
        return visit(reader, layout);
      case ChannelFlow::MeanOverDims: {
        const auto& dims = a.ints("dims");
        if (dims.empty()) return notLinear;
        Layout next = layout;
        for (int64_t r : dims) {
          int64_t rd = r < 0 ? r + rank : r;
          if (rd == d) return "feeds " + label(node) + ", which averages over the channel axis";
          if (rd < d && !a.b("keepdim")) --next.dim;
        }
        return visit(reader, next);
      }
      case ChannelFlow::Reshape:
        return reshape(value, layout, reader);
      case ChannelFlow::Permute: {
        const auto& dims = a.ints("dims");
        for (size_t k = 0; k < dims.size(); ++k) {
          if ((dims[k] < 0 ? dims[k] + rank : dims[k]) == d) return visit(reader, Layout{int64_t(k), layout.offset, layout.inner});
        }
        return notLinear;
      }
      case ChannelFlow::Transpose: {
        int64_t d0 = shapes_.normalizeDim(value, a.i("dim0")), d1 = shapes_.normalizeDim(value, a.i("dim1"));
        Layout next = layout;
        if (d == d0) next.dim = d1;
        else if (d == d1) next.dim = d0;
        return visit(reader, next);
      }
      case ChannelFlow::Unsqueeze: {
        int64_t u = a.i("dim");
        if (u < 0) u += rank + 1;
        Layout next = layout;
        if (u <= d) ++next.dim;
        return visit(reader, next);
      }
      case ChannelFlow::Broadcast: {
        int64_t outRank = shapes_.rank(reader);
        if (outRank < rank) return "the rank of " + label(node) + " is not known";
        Layout next = layout;
        next.dim = d + (outRank - rank);
        const auto& inDims = *shapes_.dims(value);
        const auto& outDims = *shapes_.dims(reader);
        if (!inDims[d] || !outDims[next.dim] || !shapes_.sameSize(*inDims[d], *outDims[next.dim])) {
          return label(node) + " repeats along the channel axis";
        }
        return visit(reader, next);
      }
      case ChannelFlow::Concat: {
        int64_t dim = shapes_.normalizeDim(value, a.i("dim"));
        if (dim != d) return "feeds " + label(node) + " along a non-channel dimension";
        if (layout.inner == kFillsAxis) return "feeds " + label(node) + " after a flatten of run-time size";
        Layout next = layout;
        for (size_t k = 0; k < inputIndex; ++k) {
          auto size = shapes_.staticSize(node.inputs[k], d);
          if (!size) return label(node) + ": the size of its input " + std::to_string(k) + " is not static";
          next.offset += *size;
        }
        out_->throughConcat = true;
        return visit(reader, next);
      }
      case ChannelFlow::Blocks:
        return notLinear;
    }
    return notLinear;
  }

  // A reshape keeps the channel axis when the dimensions before it multiply to the same size
  // before and after; the axis may then stay as it is or merge with the dimensions after it
  // (flatten), which multiplies offset and inner by their size.
  std::string reshape(int value, const Layout& layout, int reader) {
    const std::string fail = label(graph_.node(reader)) + " splits or moves the channel axis";
    const auto& inDims = shapes_.dims(value);
    const auto& outDims = shapes_.dims(reader);
    if (!inDims || !outDims) return fail;
    const int64_t d = layout.dim;
    // The axis survives whole when an output axis has its size and the same number of elements
    // after it (equal strides), whatever happens to the axes before it or after it: a relation
    // network's view(-1, n, C + 2) over (N, h, w, C + 2), where h·w is fixed only by the view.
    if ((*inDims)[d]) {
      auto suffix = product(*inDims, d + 1, static_cast<int64_t>(inDims->size()));
      for (int64_t k = 0; suffix && k < static_cast<int64_t>(outDims->size()); ++k) {
        auto outSuffix = product(*outDims, k + 1, static_cast<int64_t>(outDims->size()));
        if ((*outDims)[k] && outSuffix && shapes_.sameSize(*(*outDims)[k], *(*inDims)[d]) &&
            shapes_.sameSize(*outSuffix, *suffix)) {
          return visit(reader, Layout{k, layout.offset, layout.inner});
        }
      }
    }
    auto prefix = product(*inDims, 0, d);
    if (!prefix) return fail;
    for (int64_t k = 0; k < static_cast<int64_t>(outDims->size()); ++k) {
      auto outPrefix = product(*outDims, 0, k);
      if (!outPrefix || !shapes_.sameSize(*outPrefix, *prefix)) continue;
      // The last output dimension holds everything from the channel axis on, whatever its size.
      const bool last = k + 1 == static_cast<int64_t>(outDims->size());
      if (!last && !(*outDims)[k]) continue;
      for (int64_t end = d + 1; end <= static_cast<int64_t>(inDims->size()); ++end) {
        if (last) end = static_cast<int64_t>(inDims->size());
        auto merged = product(*inDims, d, end);
        if (!last && (!merged || !shapes_.sameSize(*merged, *(*outDims)[k]))) continue;
        auto trailing = product(*inDims, d + 1, end);
        auto factor = trailing ? shapes_.staticValue(*trailing) : std::nullopt;
        if (!factor) {
          if (end == static_cast<int64_t>(inDims->size()) && layout.offset == 0 && layout.inner == 1) {
            return visit(reader, Layout{k, 0, kFillsAxis});
          }
          return label(graph_.node(reader)) + " merges the channels with non-static dimensions";
        }
        if (layout.inner == kFillsAxis) return label(graph_.node(reader)) + " reshapes a flatten of run-time size";
        return visit(reader, Layout{k, layout.offset * *factor, layout.inner * *factor});
      }
    }
    return fail;
  }

  const Graph& graph_;
  const ShapeInfo& shapes_;
  int64_t channels_;
  Absorption* out_ = nullptr;
};

// Folds y = s ⊙ x + t, given per input position of `node` (1 and 0 where no channel lands), into
// the layer: W' = W ⊙ s over inputs, b' = b + Σ W·t (Eq. 6). A padded convolution also collects
// K = W ⊙ t, from which border_bias_conv.h builds the spatially varying part (App. A).
void foldIntoInputs(Node& node, const at::Tensor& s, const at::Tensor& t) {
  at::Tensor w = f64(node.param("weight"));
  at::Tensor bias = node.hasParam("bias") ? f64(node.param("bias")) : at::zeros({w.size(0)}, w.options());
  if (node.op == Op::Linear) {
    setParam(node, "weight", w * s.view({1, -1}));
    setParam(node, "bias", bias + at::mv(w, t));
    return;
  }
  // Conv: input channel g·(Cin/G) + i feeds the output channels of group g.
  const int64_t groups = node.attrs.i("groups"), out = w.size(0), perGroup = w.size(1);
  auto perWeight = [&](const at::Tensor& v) {
    return v.view({groups, 1, perGroup}).expand({groups, out / groups, perGroup}).reshape({out, perGroup, 1, 1});
  };
  at::Tensor k = w * perWeight(t);
  setParam(node, "weight", w * perWeight(s));
  setParam(node, "bias", bias + k.sum({1, 2, 3}));
  const auto& padding = node.attrs.ints("padding");
  bool padded = std::any_of(padding.begin(), padding.end(), [](int64_t p) { return p != 0; });
  if (padded && t.abs().max().item<double>() > 0) {
    at::Tensor previous = node.hasParam("border_weight") ? f64(node.param("border_weight")) : at::zeros_like(k);
    setParam(node, "border_weight", previous + k);
  }
}

void applyAbsorption(Graph& graph, const Absorption& absorption, const ChannelAffine& affine) {
  for (const auto& [id, channelAt] : absorption.channelAt) {
    Node& node = graph.node(id);
    const int64_t features = inputRequirement(node).features;
    at::Tensor s = at::ones({features}, at::kDouble), t = at::zeros({features}, at::kDouble);
    std::vector<int64_t> positions, channels;
    for (const auto& [position, channel] : channelAt) {
      positions.push_back(position);
      channels.push_back(channel);
    }
    at::Tensor p = at::tensor(positions, at::kLong), c = at::tensor(channels, at::kLong);
    s.index_put_({p}, affine.scale.index({c}));
    t.index_put_({p}, affine.shift.index({c}));
    foldIntoInputs(node, s, t);
  }
}

std::vector<int> absorberIds(const Absorption& absorption) {
  std::vector<int> ids;
  for (const auto& [id, unused] : absorption.channelAt) ids.push_back(id);
  return ids;
}

FoldResult failed(std::string reason) {
  FoldResult r;
  r.reason = std::move(reason);
  return r;
}

}  // namespace

ChannelAffine batchNormAffine(const Node& bn) {
  at::Tensor mean = f64(bn.param("running_mean")), var = f64(bn.param("running_var"));
  at::Tensor gamma = bn.hasParam("weight") ? f64(bn.param("weight")) : at::ones_like(mean);
  at::Tensor beta = bn.hasParam("bias") ? f64(bn.param("bias")) : at::zeros_like(mean);
  at::Tensor scale = gamma / at::sqrt(var + bn.attrs.f("eps"));
  return ChannelAffine{scale, beta - mean * scale};
}

FoldResult foldIntoProducer(Graph& graph, const ShapeInfo& shapes, int bn) {
  const int producer = graph.node(bn).inputs.at(0);
  Node& p = graph.node(producer);
  if (!isWeightedLayer(nodeCategory(p))) return failed("its input is " + label(p) + ", not conv/linear");
  if (dataReaders(graph, producer).size() != 1 || isOutput(graph, producer)) {
    return failed(label(p) + " also feeds other layers");
  }
  if (p.op == Op::Linear && shapes.rank(producer) != 2) {
    return failed(label(p) + " output is not (N, features), so the BN's channel axis is not its feature axis");
  }
  ChannelAffine affine = batchNormAffine(graph.node(bn));
  at::Tensor w = f64(p.param("weight"));
  if (w.size(0) != affine.channels()) return failed(label(p) + " has " + std::to_string(w.size(0)) + " outputs");
  std::vector<int64_t> perOutput(w.dim(), 1);
  perOutput[0] = -1;
  at::Tensor s = affine.scale.view(perOutput);
  // Eq. 4: W' = s ⊙ W, b' = s ⊙ b + t (and the border bias scales with its output channel).
  at::Tensor bias = p.hasParam("bias") ? f64(p.param("bias")) : at::zeros({w.size(0)}, w.options());
  setParam(p, "weight", w * s);
  setParam(p, "bias", bias * affine.scale + affine.shift);
  if (p.hasParam("border_weight")) setParam(p, "border_weight", f64(p.param("border_weight")) * s);
  graph.replaceUses(bn, producer);
  FoldResult r;
  r.folded = true;
  r.into = {producer};
  r.pass = "linear-bn";
  return r;
}

FoldResult foldIntoConsumers(Graph& graph, const ShapeInfo& shapes, int bn) {
  ChannelAffine affine = batchNormAffine(graph.node(bn));
  Absorption absorption;
  std::string reason = AbsorberSearch(graph, shapes, affine.channels()).run(bn, absorption);
  if (!reason.empty()) return failed(reason);
  if (absorption.needsPositiveScale && (affine.scale <= 0).any().item<bool>()) {
    return failed("a max pooling lies between it and the linear layer, and some of its scales are not positive");
  }
  applyAbsorption(graph, absorption, affine);
  graph.replaceUses(bn, graph.node(bn).inputs.at(0));
  FoldResult r;
  r.folded = true;
  r.into = absorberIds(absorption);
  r.pass = absorption.throughConcat ? "bn-concat-linear" : "bn-linear";
  return r;
}

FoldResult foldThroughRelu(Graph& graph, const ShapeInfo& shapes, int bn) {
  auto readers = dataReaders(graph, bn);
  if (readers.size() != 1 || isOutput(graph, bn) || graph.node(readers[0]).op != Op::Relu) {
    return failed("it does not feed exactly one ReLU");
  }
  const int relu = readers[0];
  ChannelAffine affine = batchNormAffine(graph.node(bn));
  at::Tensor s = affine.scale, t = affine.shift;
  at::Tensor zero = s == 0;
  // Eq. 7–8: relu(s x + t) = s ⊙ z + t' with z = ThreshReLU(x); for s = 0 the output is relu(t).
  ChannelAffine after{s, at::where(zero, at::relu(t), t)};
  Absorption absorption;
  std::string reason = AbsorberSearch(graph, shapes, affine.channels()).run(relu, absorption);
  if (!reason.empty()) return failed(reason);
  if (absorption.needsPositiveScale && (s <= 0).any().item<bool>()) {
    return failed("a max pooling follows the ReLU, and some of its scales are not positive");
  }
  applyAbsorption(graph, absorption, after);
  Node& node = graph.node(relu);
  node.op = Op::ThreshRelu;
  setParam(node, "threshold", at::where(zero, at::zeros_like(t), -t / at::where(zero, at::ones_like(s), s)));
  setParam(node, "direction", at::sign(s));
  graph.replaceUses(bn, graph.node(bn).inputs.at(0));
  FoldResult r;
  r.folded = true;
  r.into = absorberIds(absorption);
  r.pass = "bn-relu-linear";
  return r;
}

}  // namespace lrp
