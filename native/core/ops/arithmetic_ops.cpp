// Sums, products and reductions: add and mul (of two tensors, or of a tensor and a number or a
// stored tensor; sub and div by such an operand import as them),
// concatenation, and sum / mean over dimensions.
#include "op_families.h"

namespace lrp {

namespace {

using Kind = SizeExpr::Kind;

// --- add, mul (and sub, div) ----------------------------------------------------------------
// Of two computed tensors; or of one and an operand known at import: a number (attr "scalar") or
// a tensor stored in the model, a constant, parameter or buffer (param "operand"). `x − c` and
// `x / c` import as `x + (−c)` and `x · (1/c)`.

template <Op kOp>
at::Tensor binaryForward(const ForwardArgs& a) {
  const bool add = kOp == Op::Add;
  if (a.in.size() == 2) return add ? at::add(a.in[0], a.in[1]) : at::mul(a.in[0], a.in[1]);
  if (a.params.count("operand")) return add ? at::add(a.in[0], a.param("operand")) : at::mul(a.in[0], a.param("operand"));
  const double scalar = a.node.attrs.f("scalar");
  return add ? at::add(a.in[0], scalar) : at::mul(a.in[0], scalar);
}

MaybeShape binaryShape(const ShapeArgs& a) {
  if (a.inputs.size() == 1) {
    auto operand = a.node.params.find("operand");
    if (operand == a.node.params.end() || !a.in()) return a.in();
    StaticDims sizes;
    for (int64_t size : operand->second.sizes()) sizes.push_back(constantSize(size));
    return broadcast(*a.in(), sizes);
  }
  const MaybeShape &first = a.in(0), &second = a.in(1);
  if (!first || !second) return std::nullopt;
  return broadcast(*first, *second);
}

template <Op kOp>
ImportedNode binaryImport(const TorchScriptArgs& a) {
  ImportedNode node{kOp};
  const std::string& kind = a.kind();
  const bool inverse = kind.rfind("aten::sub", 0) == 0 || kind.rfind("aten::div", 0) == 0;
  double alpha = 1.0;
  if (kOp == Op::Add && a.count() > 2) alpha = a.number(2);
  if (kOp == Op::Mul && a.count() > 2 && !a.isNone(2)) a.unsupported(kind + " with a rounding mode");
  // y ↦ what x is added to or multiplied by: alpha·y for add, −alpha·y for sub, 1/y for div.
  auto operandValue = [&](const at::Tensor& y) {
    if (kOp == Op::Mul) return inverse ? y.reciprocal() : y;
    return y * (inverse ? -alpha : alpha);
  };
  auto operandNumber = [&](double y) { return operandValue(at::scalar_tensor(y, at::kDouble)).template item<double>(); };
  // The known operand is y; or x when the operator is symmetric, as a traced `0.5 * x` records it.
  const bool symmetric = !inverse && alpha == 1.0;
  for (size_t known : {size_t{1}, size_t{0}}) {
    const size_t other = 1 - known;
    if (known == 0 && (!symmetric || a.isData(1))) break;
    if (const auto number = a.scalar(known)) {
      node.attrs.set("scalar", operandNumber(*number));
    } else if (a.isData(known) && !a.isData(other)) {
      node.params["operand"] = operandValue(a.weight(known));
    } else if (a.isFromSizes(known) && !a.isFromSizes(other)) {
      // the operand is data computed in the forward (a from_sizes node): its second input
      if (inverse || alpha != 1.0) a.unsupported(kind + " of a tensor computed from sizes (only x + m and x * m)");
      node.inputs = {a.tensor(other), a.tensor(known)};
      node.attrs.set("data_operand", true);
      return node;
    } else {
      continue;
    }
    node.inputs = {a.tensor(other)};
    return node;
  }
  if (inverse || alpha != 1.0) a.unsupported(kind + (inverse ? " of two computed tensors, or with the stored operand first" : " with alpha != 1"));
  node.inputs = {a.tensor(0), a.tensor(1)};
  return node;
}

template <Op kOp>
Category binaryCategory(const Node& node) {
  if (node.inputs.size() != 2 || node.attrs.has("data_operand")) return Category::Elementwise;
  return kOp == Op::Add ? Category::Sum : Category::Product;
}

template <Op kOp>
OpInfo binary(const char* name, const char* inverse) {
  OpInfo op = atenOp(kOp, name, kOp == Op::Add ? Category::Sum : Category::Product, binaryForward<kOp>, binaryShape,
                     binaryImport<kOp>);
  op.torchScriptKinds = atenWithInPlace(name);
  for (const auto& k : atenWithInPlace(inverse)) op.torchScriptKinds.push_back(k);
  op.categoryOf = binaryCategory<kOp>;
  op.otherCategories = {Category::Elementwise};
  op.maxInputs = 2;
  op.sign = SignFlow::FromComputed;
  return op;
}

OpInfo mul() {
  OpInfo op = binary<Op::Mul>("mul", "div");
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
  op.sign = SignFlow::FromInputs;
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
  OpInfo op = atenOp(kOp, name, category, reductionForward<kOp>, reductionShape, reductionImport<kOp>);
  op.sign = SignFlow::FromInputs;
  return op;
}

OpInfo mean() {
  OpInfo op = reduction<Op::Mean>("mean", Category::AveragePooling);
  op.channelFlow = ChannelFlow::MeanOverDims;
  return op;
}

}  // namespace

std::vector<OpInfo> arithmeticOps() {
  return {binary<Op::Add>("add", "sub"), mul(), cat(), reduction<Op::Sum>("sum", Category::Sum), mean()};
}

}  // namespace lrp
