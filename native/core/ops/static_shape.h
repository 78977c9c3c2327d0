// Static shapes: per dimension, a size expression over the model's input sizes, or unknown.
// Shape rules (op_table.h) build them; shape_inference.h holds them for a whole graph.
#pragma once

#include <optional>
#include <vector>

#include "../size_expr.h"

namespace lrp {

using MaybeSize = std::optional<SizeExpr>;
using StaticDims = std::vector<MaybeSize>;
using MaybeShape = std::optional<StaticDims>;  // nullopt: even the rank is unknown

inline MaybeSize combineSizes(SizeExpr::Kind kind, const MaybeSize& a, const MaybeSize& b) {
  if (!a || !b) return std::nullopt;
  return SizeExpr::binary(kind, *a, *b);
}

inline MaybeSize constantSize(int64_t v) { return SizeExpr::constant(v); }

inline bool isStaticOne(const MaybeSize& s) { return s && s->isConstant() && s->constantValue() == 1; }

// floor((size + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1, PyTorch's output size.
inline MaybeSize windowOutput(const MaybeSize& size, int64_t kernel, int64_t stride, int64_t padding,
                              int64_t dilation) {
  using Kind = SizeExpr::Kind;
  MaybeSize numerator = combineSizes(Kind::Add, size, constantSize(2 * padding - dilation * (kernel - 1) - 1));
  return combineSizes(Kind::Add, combineSizes(Kind::FloorDiv, numerator, constantSize(stride)), constantSize(1));
}

// Broadcasting: align right; a static 1 takes the other side's size.
inline StaticDims broadcast(const StaticDims& first, const StaticDims& second) {
  const StaticDims& big = first.size() >= second.size() ? first : second;
  const StaticDims& small = first.size() >= second.size() ? second : first;
  StaticDims dims = big;
  const size_t shift = big.size() - small.size();
  for (size_t k = 0; k < small.size(); ++k) {
    if (isStaticOne(big[shift + k])) dims[shift + k] = small[k];
  }
  return dims;
}

// A possibly negative dimension index for a tensor of rank `rank`.
inline int64_t wrapDim(int64_t dim, int64_t rank) { return dim < 0 ? dim + rank : dim; }

}  // namespace lrp

namespace lrp {

// The shape of a per-channel operator's output: its input's, with `channels` along dimension 1.
inline MaybeShape withChannels(MaybeShape shape, int64_t channels) {
  if (shape && shape->size() >= 2) (*shape)[1] = constantSize(channels);
  return shape;
}

}  // namespace lrp
