#include "shape_inference.h"

#include "input_checks.h"
#include "ops/op_table.h"

namespace lrp {

namespace {

struct UnknownSize {};

// What readers demand of a value's rank, found walking back from the outputs: convolutions and
// 2-d poolings need rank 4, and element-wise ops, batch norms and linear layers pass their
// reader's demand on. A value read (through element-wise ops) by a batch norm or linear layer is
// read by a feature layer.
struct RankDemands {
  std::vector<int64_t> required;
  std::vector<bool> readByFeatureLayer;
};

RankDemands rankDemands(const Graph& graph) {
  const int n = graph.size();
  RankDemands d{std::vector<int64_t>(n, -1), std::vector<bool>(n, false)};
  for (int id = n - 1; id >= 0; --id) {
    const Node& node = graph.node(id);
    if (node.inputs.empty()) continue;
    const int source = node.inputs[0];
    const OpInfo& info = opInfo(node.op);
    if (info.requiredInputRank >= 0) {
      d.required[source] = info.requiredInputRank;
    } else if (info.featureLayer || info.elementwise) {
      if (d.required[id] >= 0) d.required[source] = d.required[id];
      if (info.featureLayer || d.readByFeatureLayer[id]) d.readByFeatureLayer[source] = true;
    }
  }
  return d;
}

}  // namespace

ShapeInfo::ShapeInfo(const Graph& graph) {
  const int n = graph.size();
  shapes_.resize(n);
  isInput_.assign(n, false);
  const RankDemands demands = rankDemands(graph);
  for (int id = 0; id < n; ++id) {
    const Node& node = graph.node(id);
    if (node.op == Op::Input) {
      isInput_[id] = true;
      shapes_[id] = inputShape(graph, id, demands.required[id], demands.readByFeatureLayer[id]);
    } else {
      shapes_[id] = ruleShape(node);
    }
  }
}

MaybeShape ShapeInfo::inputShape(const Graph& graph, int id, int64_t requiredRank, bool readByFeatureLayer) {
  const Node& node = graph.node(id);
  InputExpectation e = expectationFor(graph, id);
  int64_t rank = node.attrs.has("rank") ? node.attrs.i("rank") : (e.rank >= 0 ? e.rank : requiredRank);
  if (rank < 0 && readByFeatureLayer) {
    rank = 2;
    assumedRank2_.push_back(id);
  }
  if (rank < 0) return std::nullopt;
  StaticDims dims;
  for (int64_t k = 0; k < rank; ++k) dims.push_back(SizeExpr::dim(id, k));
  int64_t featureDim = e.featureDim == kLastDim ? rank - 1 : e.featureDim;
  if (e.features >= 0 && featureDim >= 0 && featureDim < rank) dims[featureDim] = constantSize(e.features);
  return dims;
}

MaybeShape ShapeInfo::ruleShape(const Node& node) const {
  const OpInfo& info = opInfo(node.op);
  if (!info.shape) return std::nullopt;
  ShapeArgs args{node, {}};
  for (int input : node.inputs) args.inputs.push_back(&shapes_[input]);
  return info.shape(args);
}

int64_t ShapeInfo::rank(int node) const {
  const auto& s = shapes_.at(node);
  return s ? static_cast<int64_t>(s->size()) : -1;
}

int64_t ShapeInfo::normalizeDim(int node, int64_t dim) const {
  int64_t r = rank(node);
  if (r < 0) return -1;
  int64_t d = wrapDim(dim, r);
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
  return fixedValue(*(*shapes_[node])[d]);
}

std::optional<int64_t> ShapeInfo::fixedValue(const SizeExpr& size) const {
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
