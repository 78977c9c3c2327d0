// Static shapes for graph rewrites: every node's rank and, per dimension, a size expression over
// the model's input sizes (or unknown), from each operator's shape rule (ops/op_table.h). Canonization reads it to check a batch norm's rank before a
// fold and to find where a channel lands after reshapes, permutes and concatenations.
#pragma once

#include <optional>
#include <vector>

#include "ir.h"
#include "ops/static_shape.h"

namespace lrp {

class ShapeInfo {
 public:
  explicit ShapeInfo(const Graph& graph);

  // -1 when the rank cannot be known before the graph runs.
  int64_t rank(int node) const;
  const std::optional<StaticDims>& dims(int node) const { return shapes_.at(node); }
  // The size of `node` along `dim` when it does not depend on the inputs' sizes.
  std::optional<int64_t> staticSize(int node, int64_t dim) const;
  std::optional<int64_t> staticValue(const SizeExpr& expr) const;
  // A size expression's value when it is static or comes out the same whatever the inputs' sizes
  // are (checked as sameSize does).
  std::optional<int64_t> fixedValue(const SizeExpr& expr) const;
  // Whether two size expressions agree for every input size (checked by evaluating both at
  // several arbitrary input sizes; constants compare exactly).
  bool sameSize(const SizeExpr& a, const SizeExpr& b) const;
  // Inputs whose rank is known only by assumption: read (through element-wise ops) by a batch norm
  // or linear layer and by nothing that fixes the rank, they are taken as (N, features). A graph
  // rewritten under this assumption records it (attr "rank" on the input) so forward checks it.
  const std::vector<int>& assumedRank2() const { return assumedRank2_; }
  // Normalizes a possibly negative dimension for a node of known rank; -1 if unknown or invalid.
  int64_t normalizeDim(int node, int64_t dim) const;

 private:
  // A graph input's shape: the rank its first layer needs (input_checks.h) or its readers need,
  // with the feature size that layer fixes.
  MaybeShape inputShape(const Graph& graph, int id, int64_t requiredRank, bool readByFeatureLayer);
  // An operator's shape from its inputs' shapes (its table entry's shape rule).
  MaybeShape ruleShape(const Node& node) const;
  std::optional<int64_t> evaluate(const SizeExpr& expr, int probe) const;
  std::vector<std::optional<StaticDims>> shapes_;
  std::vector<bool> isInput_;
  std::vector<int> assumedRank2_;
};

}  // namespace lrp
