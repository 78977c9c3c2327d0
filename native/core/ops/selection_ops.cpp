// Operators that pick part of a tensor along one dimension: chunk (aten::chunk, one node per item
// of the list it returns, as prim::ListUnpack reads them), select (x[:, 0]) and slice (x[:, a:b:s]),
// and the inverse, constant padding (aten::pad, constant_pad_nd). They take the gradient in LRP:
// relevance goes back to the elements picked (the others get none), and a pad's relevance on its
// padded positions is dropped (they are constants, not input).
#include <algorithm>
#include <limits>

#include "../errors.h"
#include "op_families.h"

namespace lrp {

namespace {

using Kind = SizeExpr::Kind;

OpInfo picker(Op kind, const char* name, ForwardFn forward, ShapeFn shape) {
  OpInfo op = atenOp(kind, name, Category::Reshape, forward, shape, ImportFn{nullptr});
  op.sign = SignFlow::FromInputs;
  return op;
}

// The input's shape with dimension `attrs.dim` replaced by `size`.
MaybeShape withDim(const ShapeArgs& a, const MaybeSize& size) {
  const int64_t r = a.rank();
  if (r < 0) return std::nullopt;
  MaybeShape out = a.in();
  (*out)[wrapDim(a.node.attrs.i("dim"), r)] = size;
  return out;
}

// --- chunk ------------------------------------------------------------------------------------

at::Tensor chunkForward(const ForwardArgs& a) {
  const Attributes& attrs = a.node.attrs;
  auto items = at::chunk(a.in[0], attrs.i("chunks"), attrs.i("dim"));
  const int64_t index = attrs.i("index");
  if (index >= static_cast<int64_t>(items.size())) {
    throw Error(ErrorCode::BadShape, "'" + a.node.name + "': chunk " + std::to_string(index) + " of " +
                                         std::to_string(attrs.i("chunks")) + " is empty at this input size");
  }
  return items[index];
}

// Every item has ceil(n / chunks) elements along the dimension, the last one the rest.
MaybeShape chunkShape(const ShapeArgs& a) {
  const int64_t r = a.rank();
  if (r < 0) return std::nullopt;
  const Attributes& attrs = a.node.attrs;
  const int64_t chunks = attrs.i("chunks"), index = attrs.i("index");
  const MaybeSize n = (*a.in())[wrapDim(attrs.i("dim"), r)];
  const MaybeSize each = combineSizes(Kind::FloorDiv, combineSizes(Kind::Add, n, constantSize(chunks - 1)), constantSize(chunks));
  if (index < chunks - 1) return withDim(a, each);
  return withDim(a, combineSizes(Kind::Sub, n, combineSizes(Kind::Mul, each, constantSize(index))));
}

// aten::chunk(x, chunks, dim) → one node per item.
std::vector<ImportedNode> chunkImport(const TorchScriptArgs& a) {
  const int64_t chunks = a.integer(1);
  if (chunks < 1) a.unsupported(a.kind() + " into " + std::to_string(chunks) + " chunks");
  std::vector<ImportedNode> items;
  for (int64_t k = 0; k < chunks; ++k) {
    ImportedNode node{Op::Chunk};
    node.inputs = {a.tensor(0)};
    node.attrs.set("chunks", chunks);
    node.attrs.set("dim", a.integer(2));
    node.attrs.set("index", k);
    items.push_back(std::move(node));
  }
  return items;
}

OpInfo chunk() {
  OpInfo op = picker(Op::Chunk, "chunk", chunkForward, chunkShape);
  op.fromTorchScriptList = chunkImport;
  return op;
}

// --- select -----------------------------------------------------------------------------------

at::Tensor selectForward(const ForwardArgs& a) { return at::select(a.in[0], a.node.attrs.i("dim"), a.node.attrs.i("index")); }

MaybeShape selectShape(const ShapeArgs& a) {
  const int64_t r = a.rank();
  if (r < 1) return std::nullopt;
  MaybeShape out = a.in();
  out->erase(out->begin() + wrapDim(a.node.attrs.i("dim"), r));
  return out;
}

// --- slice ------------------------------------------------------------------------------------

constexpr int64_t kToEnd = std::numeric_limits<int64_t>::max();

// The end: a constant, or a size known at run time (Swin's x[:, :H, :W] after padding).
int64_t sliceEnd(const Node& node, const SizeOf& sizeOf) {
  return node.attrs.has("end_size") ? node.attrs.sizes("end_size")[0].evaluate(sizeOf) : node.attrs.i("end");
}

at::Tensor sliceForward(const ForwardArgs& a) {
  const Attributes& attrs = a.node.attrs;
  return at::slice(a.in[0], attrs.i("dim"), attrs.i("start"), sliceEnd(a.node, a.sizeOf), attrs.i("step"));
}

// Python's slice length: exact for a constant size; for a size known at run time, when the slice
// runs from a non-negative start to the end (x[:, 1:]); unknown otherwise.
MaybeShape sliceShape(const ShapeArgs& a) {
  const int64_t r = a.rank();
  if (r < 0) return std::nullopt;
  const Attributes& attrs = a.node.attrs;
  const int64_t start = attrs.i("start"), end = attrs.i("end"), step = attrs.i("step");
  const MaybeSize& n = (*a.in())[wrapDim(attrs.i("dim"), r)];
  if (attrs.has("end_size")) {  // from a non-negative start to a size within the dimension
    if (start < 0) return withDim(a, std::nullopt);
    const MaybeSize length = combineSizes(Kind::Sub, attrs.sizes("end_size")[0], constantSize(start));
    return withDim(a, combineSizes(Kind::FloorDiv, combineSizes(Kind::Add, length, constantSize(step - 1)), constantSize(step)));
  }
  if (n && n->isConstant()) {
    const int64_t size = n->constantValue();
    auto clampIndex = [&](int64_t k) { return std::clamp<int64_t>(k < 0 ? k + size : k, 0, size); };
    const int64_t from = clampIndex(start), to = clampIndex(end);
    return withDim(a, constantSize(to > from ? (to - from + step - 1) / step : 0));
  }
  if (start < 0 || end != kToEnd) return withDim(a, std::nullopt);
  return withDim(a, combineSizes(Kind::FloorDiv, combineSizes(Kind::Add, n, constantSize(step - 1 - start)), constantSize(step)));
}

// aten::slice(x, dim, start?, end?, step): None reads as the start and the end.
ImportedNode sliceImport(const TorchScriptArgs& a) {
  ImportedNode node{Op::Slice};
  node.inputs = {a.tensor(0)};
  node.attrs.set("dim", a.integer(1));
  node.attrs.set("start", a.isNone(2) ? int64_t{0} : a.integer(2));
  node.attrs.set("end", kToEnd);
  if (!a.isNone(3)) {
    const SizeList end = a.sizes(3);
    if (end.size() != 1) a.unsupported(a.kind() + " with a list as its end");
    if (end[0].isConstant()) node.attrs.set("end", end[0].constantValue());
    else node.attrs.set("end_size", end);
  }
  const int64_t step = a.integer(4);
  if (step < 1) a.unsupported(a.kind() + " with step " + std::to_string(step));
  node.attrs.set("step", step);
  return node;
}

// --- constant pad ------------------------------------------------------------------------------

at::Tensor padForward(const ForwardArgs& a) {
  return at::constant_pad_nd(a.in[0], evaluateSizes(a.node.attrs.sizes("pads"), a.sizeOf), a.node.attrs.f("value"));
}

// pads = (last dim's left, its right, the one before's left, …), as aten::pad lists them.
MaybeShape padShape(const ShapeArgs& a) {
  const int64_t r = a.rank();
  if (r < 0) return std::nullopt;
  const SizeList& pads = a.node.attrs.sizes("pads");
  MaybeShape out = a.in();
  for (size_t k = 0; k + 1 < pads.size() && static_cast<int64_t>(k / 2) < r; k += 2) {
    MaybeSize& dim = (*out)[r - 1 - static_cast<int64_t>(k / 2)];
    dim = combineSizes(Kind::Add, combineSizes(Kind::Add, dim, pads[k]), pads[k + 1]);
  }
  return out;
}

// aten::pad(x, pads, mode, value) with mode "constant"; aten::constant_pad_nd(x, pads, value).
ImportedNode padImport(const TorchScriptArgs& a) {
  const bool functional = a.kind() == "aten::pad";
  if (functional && (!a.isString(2) || a.string(2) != "constant")) {
    a.unsupported(a.kind() + " in mode '" + (a.isString(2) ? a.string(2) : "?") + "' (only constant padding)");
  }
  const size_t valueAt = functional ? 3 : 2;
  ImportedNode node{Op::Pad};
  node.inputs = {a.tensor(0)};
  node.attrs.set("pads", a.sizes(1));
  node.attrs.set("value", a.count() > valueAt && !a.isNone(valueAt) ? a.number(valueAt) : 0.0);
  return node;
}

// Zeros added to a non-negative tensor keep it non-negative.
SignFlow padSign(const Node& node) { return node.attrs.f("value") >= 0 ? SignFlow::FromInputs : SignFlow::Unknown; }

OpInfo pad() {
  OpInfo op = atenOp(Op::Pad, "pad", Category::Reshape, padForward, padShape, padImport);
  op.torchScriptKinds.push_back("aten::constant_pad_nd");
  op.signOf = padSign;
  return op;
}

}  // namespace

std::vector<OpInfo> selectionOps() {
  using A = ArgAttr;
  OpInfo select = picker(Op::Select, "select", selectForward, selectShape);
  select.torchScriptAttrs = {{"dim", A::Integer, 1}, {"index", A::Integer, 2}};
  OpInfo slice = picker(Op::Slice, "slice", sliceForward, sliceShape);
  slice.fromTorchScript = sliceImport;
  return {chunk(), select, slice, pad()};
}

}  // namespace lrp
