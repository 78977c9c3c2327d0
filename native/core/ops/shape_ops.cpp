// Operators that move or copy elements without computing: flatten, view/reshape, unsqueeze,
// permute, transpose, roll (category reshape) and expand, repeat (category broadcast). Shape arguments
// may be size expressions (size_expr.h), evaluated when the graph runs. Each is imported from
// aten::<name>(x, <its attributes>) (aten::view too, as reshape; aten::t as transpose).
#include "op_families.h"

namespace lrp {

namespace {

using Kind = SizeExpr::Kind;

bool isMinusOne(const SizeExpr& s) { return s.isConstant() && s.constantValue() == -1; }

// An operator that moves or copies elements, imported from aten::<name>(x, <attrs>).
OpInfo mover(Op kind, const char* name, Category category, ForwardFn forward, ShapeFn shape,
             std::vector<ArgAttr> attrs, ChannelFlow channelFlow, GateRole gate = GateRole::None) {
  OpInfo op = atenOp(kind, name, category, forward, shape, std::move(attrs));
  op.channelFlow = channelFlow;
  op.gate = gate;
  op.sign = SignFlow::FromInputs;
  return op;
}

OpInfo alsoImportedFrom(OpInfo op, const std::string& kind) {
  op.torchScriptKinds.push_back(kind);
  return op;
}

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

// --- unsqueeze --------------------------------------------------------------------------------

at::Tensor unsqueezeForward(const ForwardArgs& a) { return at::unsqueeze(a.in[0], a.node.attrs.i("dim")); }

MaybeShape unsqueezeShape(const ShapeArgs& a) {
  const int64_t r = a.rank();
  if (r < 0) return std::nullopt;
  MaybeShape out = a.in();
  out->insert(out->begin() + wrapDim(a.node.attrs.i("dim"), r + 1), constantSize(1));
  return out;
}

// --- expand, repeat ---------------------------------------------------------------------------

at::Tensor expandForward(const ForwardArgs& a) {
  return a.in[0].expand(evaluateSizes(a.node.attrs.sizes("shape"), a.sizeOf));
}

// Entry k of a size list of `count` entries read against the input's dimensions aligned to the
// right, as broadcasting does: the input's size there, `missing` where the input has fewer
// dimensions, unknown when the input's shape is.
MaybeSize alignedInputSize(const ShapeArgs& a, size_t k, size_t count, const MaybeSize& missing) {
  const MaybeShape& in = a.in();
  if (!in) return std::nullopt;
  const int64_t j = static_cast<int64_t>(k) - static_cast<int64_t>(count) + a.rank();
  return j >= 0 ? (*in)[j] : missing;
}

// The target shape; -1 keeps the input's size of the aligned dimension.
MaybeShape expandShape(const ShapeArgs& a) {
  const SizeList& shape = a.node.attrs.sizes("shape");
  StaticDims dims(shape.begin(), shape.end());
  for (size_t k = 0; k < shape.size(); ++k) {
    if (isMinusOne(shape[k])) dims[k] = alignedInputSize(a, k, shape.size(), std::nullopt);
  }
  return dims;
}

at::Tensor repeatForward(const ForwardArgs& a) {
  return a.in[0].repeat(evaluateSizes(a.node.attrs.sizes("repeats"), a.sizeOf));
}

// Each (right-aligned) input size times its repeat count; missing leading dimensions count as 1.
MaybeShape repeatShape(const ShapeArgs& a) {
  const SizeList& repeats = a.node.attrs.sizes("repeats");
  StaticDims dims;
  for (size_t k = 0; k < repeats.size(); ++k) {
    dims.push_back(combineSizes(Kind::Mul, repeats[k], alignedInputSize(a, k, repeats.size(), constantSize(1))));
  }
  return dims;
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

// aten::transpose(x, dim0, dim1); aten::t(x), a matrix's transpose: dims 0 and 1.
ImportedNode transposeImport(const TorchScriptArgs& a) {
  ImportedNode node{Op::Transpose};
  const bool matrix = a.kind() == "aten::t";
  node.attrs.set("dim0", matrix ? int64_t{0} : a.integer(1));
  node.attrs.set("dim1", matrix ? int64_t{1} : a.integer(2));
  node.inputs = {a.tensor(0)};
  return node;
}

OpInfo transpose() {
  OpInfo op = mover(Op::Transpose, "transpose", Category::Reshape, transposeForward, transposeShape, {},
                    ChannelFlow::Transpose);
  op.fromTorchScript = transposeImport;
  return alsoImportedFrom(op, "aten::t");
}

}  // namespace

// --- roll ------------------------------------------------------------------------------------

// Swin's cyclic shift of the windows: a permutation, so relevance (its gradient) rolls back.
at::Tensor rollForward(const ForwardArgs& a) { return at::roll(a.in[0], a.node.attrs.ints("shifts"), a.node.attrs.ints("dims")); }

// A gate (structural.h) read through a flatten, reshape, unsqueeze or expand is still a gate.
std::vector<OpInfo> shapeOps() {
  using A = ArgAttr;
  const auto carrier = GateRole::Carrier;
  return {
      mover(Op::Flatten, "flatten", Category::Reshape, flattenForward, flattenShape,
            {{"start", A::Integer, 1}, {"end", A::Integer, 2}}, ChannelFlow::Reshape, carrier),
      alsoImportedFrom(mover(Op::Reshape, "reshape", Category::Reshape, reshapeForward, reshapeShape,
                             {{"shape", A::Sizes, 1}}, ChannelFlow::Reshape, carrier),
                       "aten::view"),
      mover(Op::Unsqueeze, "unsqueeze", Category::Reshape, unsqueezeForward, unsqueezeShape,
            {{"dim", A::Integer, 1}}, ChannelFlow::Unsqueeze, carrier),
      mover(Op::Expand, "expand", Category::Broadcast, expandForward, expandShape, {{"shape", A::Sizes, 1}},
            ChannelFlow::Broadcast, carrier),
      mover(Op::Repeat, "repeat", Category::Broadcast, repeatForward, repeatShape, {{"repeats", A::Sizes, 1}},
            ChannelFlow::Broadcast),
      mover(Op::Permute, "permute", Category::Reshape, permuteForward, permuteShape, {{"dims", A::Ints, 1}},
            ChannelFlow::Permute),
      transpose(),
      mover(Op::Roll, "roll", Category::Reshape, rollForward, sameShape, {{"shifts", A::Ints, 1}, {"dims", A::Ints, 2}},
            ChannelFlow::Blocks),
  };
}

}  // namespace lrp
