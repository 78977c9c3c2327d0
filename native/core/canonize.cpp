#include "canonize.h"

#include <algorithm>
#include <functional>
#include <set>

#include "batch_norm_fold.h"
#include "errors.h"
#include "shape_inference.h"

namespace lrp {

FoldOrder parseFoldOrder(const std::string& name) {
  if (name == "left-first") return FoldOrder::LeftFirst;
  if (name == "relu-first") return FoldOrder::ReluFirst;
  throw Error(ErrorCode::BadArgument, "unknown canonization order '" + name + "' (use left-first or relu-first)");
}

const char* foldOrderName(FoldOrder order) { return order == FoldOrder::LeftFirst ? "left-first" : "relu-first"; }

namespace {

using Fold = std::function<FoldResult(Graph&, const ShapeInfo&, int)>;

struct NamedFold {
  const char* label;  // for the reason of a batch norm that stays
  Fold fold;
};

std::vector<NamedFold> foldsInOrder(FoldOrder order) {
  NamedFold left{"into its producer", foldIntoProducer};
  NamedFold right{"into its readers", foldIntoConsumers};
  NamedFold relu{"through a ReLU", foldThroughRelu};
  if (order == FoldOrder::LeftFirst) return {left, right, relu};
  return {relu, left, right};
}

}  // namespace

Graph canonize(const Graph& original, FoldOrder order) {
  Graph graph = original;
  graph.canonization = CanonizationReport{true, foldOrderName(order), {}};
  std::set<std::string> stays;
  while (true) {
    int bn = -1;
    for (int id = 0; id < graph.size() && bn < 0; ++id) {
      const Node& n = graph.node(id);
      if (n.op == Op::BatchNorm && !stays.count(n.name)) bn = id;
    }
    if (bn < 0) break;
    const std::string name = graph.node(bn).name;
    BatchNormFold record;
    record.batchNorm = name;
    std::string reasons;
    for (const auto& step : foldsInOrder(order)) {
      ShapeInfo shapes(graph);
      FoldResult r = step.fold(graph, shapes, bn);
      if (!r.folded) {
        reasons += std::string(reasons.empty() ? "" : "; ") + step.label + ": " + r.reason;
        continue;
      }
      record.pass = r.pass;
      for (int id : r.into) record.into.push_back(graph.node(id).name);
      break;
    }
    if (record.pass.empty()) {
      record.reason = reasons;
      stays.insert(name);
    } else {
      graph.removeDeadNodes();
    }
    graph.canonization.folds.push_back(std::move(record));
  }
  // Every fold above read ranks from these assumptions; the canonized model checks them. Without a
  // fold the function is the original one and holds at every rank.
  const bool folded = std::any_of(graph.canonization.folds.begin(), graph.canonization.folds.end(),
                                  [](const BatchNormFold& f) { return !f.pass.empty(); });
  if (!folded) {
    graph.validate();
    return graph;
  }
  const auto& originalInputs = original.inputs();
  const ShapeInfo originalShapes(original);
  for (int input : originalShapes.assumedRank2()) {
    auto k = std::find(originalInputs.begin(), originalInputs.end(), input) - originalInputs.begin();
    graph.node(graph.inputs().at(k)).attrs.set("rank", int64_t(2));
  }
  graph.validate();
  return graph;
}

}  // namespace lrp
