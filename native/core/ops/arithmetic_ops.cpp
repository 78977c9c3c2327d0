// Sums, products and reductions: add and mul (of two tensors, or of a tensor and a number),
// concatenation, and sum / mean over dimensions.
#include "op_families.h"

namespace lrp {

namespace {

using Kind = SizeExpr::Kind;

// --- add, mul ---------------------------------------------------------------------------------

template <Op kOp>
at::Tensor binaryForward(const ForwardArgs& a) {
  const bool add = kOp == Op::Add;
  if (a.in.size() == 2) return add ? at::add(a.in[0], a.in[1]) : at::mul(a.in[0], a.in[1]);
  const double scalar = a.node.attrs.f("scalar");
  return add ? at::add(a.in[0], scalar) : at::mul(a.in[0], scalar);
}

// Broadcasting: align right; a static 1 takes the other side's size.
MaybeShape binaryShape(const ShapeArgs& a) {
  if (a.inputs.size() == 1) return a.in();
  const MaybeShape &first = a.in(0), &second = a.in(1);
  if (!first || !second) return std::nullopt;
  const StaticDims& big = first->size() >= second->size() ? *first : *second;
  const StaticDims& small = first->size() >= second->size() ? *second : *first;
  StaticDims dims = big;
  const size_t shift = big.size() - small.size();
  for (size_t k = 0; k < small.size(); ++k) {
    if (isStaticOne(big[shift + k])) dims[shift + k] = small[k];
  }
  return dims;
}

// aten::add(x, y, alpha) / aten::mul(x, y): y a tensor, or a number (then attr "scalar"; a number
// first, as in a traced `0.5 * x`, is swapped behind x when alpha is 1).
template <Op kOp>
ImportedNode binaryImport(const TorchScriptArgs& a) {
  ImportedNode node{kOp};
  const double alpha = (kOp == Op::Add && a.count() > 2) ? a.number(2) : 1.0;
  const auto second = a.scalar(1);
  const auto first = alpha == 1.0 && !second ? a.scalar(0) : std::nullopt;
  if (second || first) {
    node.attrs.set("scalar", second ? *second * alpha : *first);
    node.inputs = {a.tensor(second ? 0 : 1)};
    return node;
  }
  if (alpha != 1.0) a.unsupported(a.kind() + " with alpha != 1");
  node.inputs = {a.tensor(0), a.tensor(1)};
  // With a tensor read as data (a shift, a scale) it is element-wise, not a sum or product of two
  // computed values: no sum or gate rule, relevance takes its gradient (as zennit, which places
  // rules on modules only).
  if (a.isData(0) != a.isData(1)) node.attrs.set("data_operand", static_cast<int64_t>(a.isData(0) ? 0 : 1));
  return node;
}

template <Op kOp>
Category binaryCategory(const Node& node) {
  if (node.inputs.size() != 2 || node.attrs.has("data_operand")) return Category::Elementwise;
  return kOp == Op::Add ? Category::Sum : Category::Product;
}

template <Op kOp>
OpInfo binary(const char* name) {
  OpInfo op = atenOp(kOp, name, kOp == Op::Add ? Category::Sum : Category::Product, binaryForward<kOp>, binaryShape,
                     binaryImport<kOp>);
  op.torchScriptKinds = atenWithInPlace(name);
  op.categoryOf = binaryCategory<kOp>;
  op.maxInputs = 2;
  return op;
}

OpInfo mul() {
  OpInfo op = binary<Op::Mul>("mul");
  op.relevance = DefaultRelevance::Gate;  // when structural.h marks it a gate product
  return op;
}

// --- cat --------------------------------------------------------------------------------------

at::Tensor catForward(const ForwardArgs& a) { return at::cat(a.in, a.node.attrs.i("dim")); }

MaybeShape catShape(const ShapeArgs& a) {
  const int64_t r = a.rank();
  if (r < 0) return std::nullopt;
  const int64_t dim = wrapDim(a.node.attrs.i("dim"), r);
  StaticDims dims = *a.in();
  for (size_t k = 1; k < a.inputs.size(); ++k) {
    const MaybeShape& other = a.in(k);
    dims[dim] = other ? combineSizes(Kind::Add, dims[dim], (*other)[dim]) : std::nullopt;
  }
  return dims;
}

// aten::cat(tensors, dim)
ImportedNode catImport(const TorchScriptArgs& a) {
  ImportedNode node{Op::Cat};
  node.inputs = a.tensors(0);
  node.attrs.set("dim", a.integer(1));
  return node;
}

OpInfo cat() {
  OpInfo op = atenOp(Op::Cat, "cat", Category::Concat, catForward, catShape, catImport);
  op.maxInputs = -1;
  op.channelFlow = ChannelFlow::Concat;
  return op;
}

// --- sum, mean --------------------------------------------------------------------------------

template <Op kOp>
at::Tensor reductionForward(const ForwardArgs& a) {
  const auto& dims = a.node.attrs.ints("dims");
  if (kOp == Op::Sum) return dims.empty() ? at::sum(a.in[0]) : at::sum(a.in[0], dims, a.node.attrs.b("keepdim"));
  return dims.empty() ? at::mean(a.in[0]) : at::mean(a.in[0], dims, a.node.attrs.b("keepdim"));
}

MaybeShape reductionShape(const ShapeArgs& a) {
  const int64_t r = a.rank();
  if (r < 0) return std::nullopt;
  const auto& list = a.node.attrs.ints("dims");
  std::vector<bool> reduced(r, list.empty());
  for (int64_t d : list) reduced[wrapDim(d, r)] = true;
  StaticDims dims;
  for (int64_t k = 0; k < r; ++k) {
    if (!reduced[k]) dims.push_back((*a.in())[k]);
    else if (a.node.attrs.b("keepdim")) dims.push_back(constantSize(1));
  }
  return dims;
}

// aten::sum(x, dtype) or aten::sum(x, dims, keepdim, dtype); the same for aten::mean.
template <Op kOp>
ImportedNode reductionImport(const TorchScriptArgs& a) {
  const bool hasDims = a.count() >= 4;
  if (hasDims && !a.isNone(3)) a.unsupported(a.kind() + " with a dtype argument");
  ImportedNode node{kOp};
  node.attrs.set("dims", hasDims && !a.isNone(1) ? a.ints(1) : std::vector<int64_t>{});
  node.attrs.set("keepdim", hasDims ? a.flag(2) : false);
  node.inputs = {a.tensor(0)};
  return node;
}

template <Op kOp>
OpInfo reduction(const char* name, Category category) {
  return atenOp(kOp, name, category, reductionForward<kOp>, reductionShape, reductionImport<kOp>);
}

OpInfo mean() {
  OpInfo op = reduction<Op::Mean>("mean", Category::AveragePooling);
  op.channelFlow = ChannelFlow::MeanOverDims;
  return op;
}

}  // namespace

std::vector<OpInfo> arithmeticOps() {
  return {binary<Op::Add>("add"), mul(), cat(), reduction<Op::Sum>("sum", Category::Sum), mean()};
}

}  // namespace lrp
