// What an attention block computes besides its linear layers: softmax over one axis (and
// log_softmax, a classifier's last op), and the matrix product of two computed tensors (QKᵀ and
// attention·V, traced as aten::bmm or aten::matmul). AttnLRP's rules for them live in
// rules/softmax_rule.cpp and rules/product_rules.cpp.
#include "op_families.h"

namespace lrp {

namespace {

// --- softmax, log_softmax ---------------------------------------------------------------------

template <Op kOp>
at::Tensor softmaxForward(const ForwardArgs& a) {
  const int64_t dim = a.node.attrs.i("dim");
  return kOp == Op::Softmax ? at::softmax(a.in[0], dim) : at::log_softmax(a.in[0], dim);
}

// aten::softmax(x, dim, dtype), aten::log_softmax(x, dim, dtype): the plan sets every value's dtype.
template <Op kOp>
ImportedNode softmaxImport(const TorchScriptArgs& a) {
  if (a.count() != 3) a.unsupported(a.kind());
  if (!a.isNone(2)) a.unsupported(a.kind() + " with a dtype argument");
  ImportedNode node{kOp};
  node.attrs.set("dim", a.integer(1));
  node.inputs = {a.tensor(0)};
  return node;
}

template <Op kOp>
OpInfo softmax(const char* name, Category category) {
  OpInfo op = atenOp(kOp, name, category, softmaxForward<kOp>, sameShape, softmaxImport<kOp>);
  if (kOp == Op::Softmax) op.sign = SignFlow::NonNegative;
  return op;
}

// --- matmul, bmm --------------------------------------------------------------------------------

at::Tensor matmulForward(const ForwardArgs& a) { return at::matmul(a.in[0], a.in[1]); }

// (…, n, k) @ (…, k, m) = (…, n, m), the leading axes broadcast; a vector operand: unknown here.
MaybeShape matmulShape(const ShapeArgs& a) {
  const MaybeShape &first = a.in(0), &second = a.in(1);
  if (!first || !second || first->size() < 2 || second->size() < 2) return std::nullopt;
  StaticDims dims = broadcast(StaticDims(first->begin(), first->end() - 2), StaticDims(second->begin(), second->end() - 2));
  dims.push_back((*first)[first->size() - 2]);
  dims.push_back(second->back());
  return dims;
}

// aten::matmul(a, b), aten::bmm(a, b)
ImportedNode matmulImport(const TorchScriptArgs& a) {
  if (a.count() != 2) a.unsupported(a.kind());
  ImportedNode node{Op::MatMul};
  node.inputs = {a.tensor(0), a.tensor(1)};
  return node;
}

OpInfo matmul() {
  OpInfo op = atenOp(Op::MatMul, "matmul", Category::AttentionProduct, matmulForward, matmulShape, matmulImport);
  op.torchScriptKinds.push_back("aten::bmm");
  op.minInputs = op.maxInputs = 2;
  op.sign = SignFlow::FromComputed;  // a product of non-negative matrices is
  return op;
}

}  // namespace

std::vector<OpInfo> attentionOps() {
  return {softmax<Op::Softmax>("softmax", Category::Softmax),
          softmax<Op::LogSoftmax>("log_softmax", Category::LogSoftmax), matmul()};
}

}  // namespace lrp
