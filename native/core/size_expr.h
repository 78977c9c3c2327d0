// An integer known only when the graph runs: a traced `x.size(0)`, `h * w`, or a constant.
// Shape arguments of view/reshape/expand/repeat are lists of these, so a model traced at one
// batch size still runs at another.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace lrp {

class SizeExpr {
 public:
  enum class Kind { Constant, Dim, Add, Sub, Mul, FloorDiv, Mod };  // Mod: Python's %, the divisor's sign

  static SizeExpr constant(int64_t value);
  static SizeExpr dim(int node, int64_t dim);
  static SizeExpr binary(Kind kind, const SizeExpr& a, const SizeExpr& b);

  Kind kind() const { return kind_; }
  bool isConstant() const { return kind_ == Kind::Constant; }
  int64_t constantValue() const { return value_; }

  // `sizeOf(node, dim)` returns the runtime size of a node's output along dim.
  int64_t evaluate(const std::function<int64_t(int, int64_t)>& sizeOf) const;

  // Every node whose shape this expression reads.
  void collectNodes(std::vector<int>& out) const;
  // Rewrites node references (used when a pass replaces a node by another of equal shape).
  SizeExpr remapped(const std::function<int(int)>& remap) const;

  // Human-readable form for `inspect`, e.g. "size(%3,0)*4"; `nameOf` names nodes.
  std::string toString(const std::function<std::string(int)>& nameOf) const;

 private:
  Kind kind_ = Kind::Constant;
  int64_t value_ = 0;  // Constant: the value; Dim: the dimension
  int node_ = -1;      // Dim: the node whose output is measured
  std::shared_ptr<const SizeExpr> a_, b_;
};

using SizeList = std::vector<SizeExpr>;

std::vector<int64_t> evaluateSizes(const SizeList& sizes, const std::function<int64_t(int, int64_t)>& sizeOf);

}  // namespace lrp
