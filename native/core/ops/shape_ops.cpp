// Operators that move or copy elements without computing: flatten, view/reshape, unsqueeze,
// permute, transpose (category reshape) and expand, repeat (category broadcast). Shape arguments
// may be size expressions (size_expr.h), evaluated when the graph runs.
#include "op_families.h"

namespace lrp {

namespace {

using Kind = SizeExpr::Kind;

bool isMinusOne(const SizeExpr& s) { return s.isConstant() && s.constantValue() == -1; }

// --- flatten ----------------------------------------------------------------------------------

at::Tensor flattenForward(const ForwardArgs& a) {
  return at::flatten(a.in[0], a.node.attrs.i("start"), a.node.attrs.i("end"));
}

MaybeShape flattenShape(const ShapeArgs& a) {
  const int64_t r = a.rank();
  if (r < 0) return std::nullopt;
  const StaticDims& in = *a.in();
  const int64_t start = wrapDim(a.node.attrs.i("start"), r), end = wrapDim(a.node.attrs.i("end"), r);
  StaticDims dims(in.begin(), in.begin() + start);
  MaybeSize merged = constantSize(1);
  for (int64_t k = start; k <= end; ++k) merged = combineSizes(Kind::Mul, merged, in[k]);
  dims.push_back(merged);
  dims.insert(dims.end(), in.begin() + end + 1, in.end());
  return dims;
}

OpInfo flatten() {
  // Imported from aten::flatten(x, start, end).
  OpInfo op = atenOp(Op::Flatten, "flatten", Category::Reshape, flattenForward, flattenShape,
                     {{"start", ArgAttr::Integer, 1}, {"end", ArgAttr::Integer, 2}});
  op.channelFlow = ChannelFlow::Reshape;
  op.gate = GateRole::Carrier;
  return op;
}

// --- reshape (view) ---------------------------------------------------------------------------

at::Tensor reshapeForward(const ForwardArgs& a) {
  return a.in[0].reshape(evaluateSizes(a.node.attrs.sizes("shape"), a.sizeOf));
}

MaybeShape reshapeShape(const ShapeArgs& a) {
  const SizeList& shape = a.node.attrs.sizes("shape");
  const MaybeShape& in = a.in();
  StaticDims dims(shape.begin(), shape.end());
  for (size_t k = 0; k < shape.size(); ++k) {
    if (!isMinusOne(shape[k])) continue;
    // -1: the input's element count over the product of the other entries.
    MaybeSize total = in ? constantSize(1) : std::nullopt, others = constantSize(1);
    if (in) for (const auto& s : *in) total = combineSizes(Kind::Mul, total, s);
    for (size_t j = 0; j < shape.size(); ++j) if (j != k) others = combineSizes(Kind::Mul, others, shape[j]);
    dims[k] = combineSizes(Kind::FloorDiv, total, others);
  }
  return dims;
}

OpInfo reshape() {
  // Imported from aten::view(x, shape) / aten::reshape(x, shape).
  OpInfo op = atenOp(Op::Reshape, "reshape", Category::Reshape, reshapeForward, reshapeShape,
                     {{"shape", ArgAttr::Sizes, 1}});
  op.torchScriptKinds.push_back("aten::view");
  op.channelFlow = ChannelFlow::Reshape;
  op.gate = GateRole::Carrier;
  return op;
}

// --- unsqueeze --------------------------------------------------------------------------------

at::Tensor unsqueezeForward(const ForwardArgs& a) { return at::unsqueeze(a.in[0], a.node.attrs.i("dim")); }

MaybeShape unsqueezeShape(const ShapeArgs& a) {
  const int64_t r = a.rank();
  if (r < 0) return std::nullopt;
  MaybeShape out = a.in();
  out->insert(out->begin() + wrapDim(a.node.attrs.i("dim"), r + 1), constantSize(1));
  return out;
}

OpInfo unsqueeze() {
  // Imported from aten::unsqueeze(x, dim).
  OpInfo op = atenOp(Op::Unsqueeze, "unsqueeze", Category::Reshape, unsqueezeForward, unsqueezeShape,
                     {{"dim", ArgAttr::Integer, 1}});
  op.channelFlow = ChannelFlow::Unsqueeze;
  op.gate = GateRole::Carrier;
  return op;
}

// --- expand, repeat ---------------------------------------------------------------------------

at::Tensor expandForward(const ForwardArgs& a) {
  return a.in[0].expand(evaluateSizes(a.node.attrs.sizes("shape"), a.sizeOf));
}

// The target shape; -1 keeps the input's size of the aligned (right-aligned) dimension.
MaybeShape expandShape(const ShapeArgs& a) {
  const SizeList& shape = a.node.attrs.sizes("shape");
  const MaybeShape& in = a.in();
  const int64_t r = a.rank();
  StaticDims dims(shape.begin(), shape.end());
  for (size_t k = 0; k < shape.size(); ++k) {
    if (!isMinusOne(shape[k])) continue;
    int64_t j = static_cast<int64_t>(k) - static_cast<int64_t>(shape.size()) + r;
    dims[k] = (in && j >= 0) ? (*in)[j] : std::nullopt;
  }
  return dims;
}

OpInfo expand() {
  // Imported from aten::expand(x, shape, implicit).
  OpInfo op = atenOp(Op::Expand, "expand", Category::Broadcast, expandForward, expandShape,
                     {{"shape", ArgAttr::Sizes, 1}});
  op.channelFlow = ChannelFlow::Broadcast;
  op.gate = GateRole::Carrier;
  return op;
}

at::Tensor repeatForward(const ForwardArgs& a) {
  return a.in[0].repeat(evaluateSizes(a.node.attrs.sizes("repeats"), a.sizeOf));
}

// Each (right-aligned) input size times its repeat count; missing leading dimensions count as 1.
MaybeShape repeatShape(const ShapeArgs& a) {
  const SizeList& repeats = a.node.attrs.sizes("repeats");
  const MaybeShape& in = a.in();
  const int64_t r = a.rank();
  StaticDims dims;
  for (size_t k = 0; k < repeats.size(); ++k) {
    int64_t j = static_cast<int64_t>(k) - static_cast<int64_t>(repeats.size()) + r;
    MaybeSize base = !in ? std::nullopt : (j >= 0 ? (*in)[j] : constantSize(1));
    dims.push_back(combineSizes(Kind::Mul, repeats[k], base));
  }
  return dims;
}

OpInfo repeat() {
  // Imported from aten::repeat(x, repeats).
  OpInfo op = atenOp(Op::Repeat, "repeat", Category::Broadcast, repeatForward, repeatShape,
                     {{"repeats", ArgAttr::Sizes, 1}});
  op.channelFlow = ChannelFlow::Broadcast;
  return op;
}

// --- permute, transpose -----------------------------------------------------------------------

at::Tensor permuteForward(const ForwardArgs& a) { return a.in[0].permute(a.node.attrs.ints("dims")); }

MaybeShape permuteShape(const ShapeArgs& a) {
  const int64_t r = a.rank();
  if (r < 0) return std::nullopt;
  StaticDims dims;
  for (int64_t d : a.node.attrs.ints("dims")) dims.push_back((*a.in())[wrapDim(d, r)]);
  return dims;
}

OpInfo permute() {
  // Imported from aten::permute(x, dims).
  OpInfo op = atenOp(Op::Permute, "permute", Category::Reshape, permuteForward, permuteShape,
                     {{"dims", ArgAttr::Ints, 1}});
  op.channelFlow = ChannelFlow::Permute;
  return op;
}

at::Tensor transposeForward(const ForwardArgs& a) {
  return a.in[0].transpose(a.node.attrs.i("dim0"), a.node.attrs.i("dim1"));
}

MaybeShape transposeShape(const ShapeArgs& a) {
  const int64_t r = a.rank();
  if (r < 0) return std::nullopt;
  MaybeShape out = a.in();
  std::swap((*out)[wrapDim(a.node.attrs.i("dim0"), r)], (*out)[wrapDim(a.node.attrs.i("dim1"), r)]);
  return out;
}

OpInfo transpose() {
  // Imported from aten::transpose(x, dim0, dim1).
  OpInfo op = atenOp(Op::Transpose, "transpose", Category::Reshape, transposeForward, transposeShape,
                     {{"dim0", ArgAttr::Integer, 1}, {"dim1", ArgAttr::Integer, 2}});
  op.channelFlow = ChannelFlow::Transpose;
  return op;
}

}  // namespace

std::vector<OpInfo> shapeOps() {
  return {flatten(), reshape(), unsqueeze(), expand(), repeat(), permute(), transpose()};
}

}  // namespace lrp
