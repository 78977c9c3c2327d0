// Element-wise activations: one input, an output of the same shape. An element-wise operator is
// one entry here (its forward and TorchScript names); input checks and rank inference look
// through it, and LRP gives it its gradient unless a rule says otherwise (AttnLRP's identity rule
// on GELU and SiLU is `pass`).
#include "../thresh_relu.h"
#include "op_families.h"

namespace lrp {

namespace {

// An element-wise activation imported from aten::<name> (and its in-place variant).
template <Op kOp>
OpInfo activation(const char* name, ForwardFn forward) {
  OpInfo op = atenOp(kOp, name, Category::Activation, forward, sameShape, importUnary<kOp>);
  op.torchScriptKinds = atenWithInPlace(name);
  op.elementwise = true;
  return op;
}

at::Tensor reluForward(const ForwardArgs& a) { return at::relu(a.in[0]); }
at::Tensor siluForward(const ForwardArgs& a) { return at::silu(a.in[0]); }
at::Tensor sigmoidForward(const ForwardArgs& a) { return at::sigmoid(a.in[0]); }
at::Tensor hardswishForward(const ForwardArgs& a) { return at::hardswish(a.in[0]); }
at::Tensor geluForward(const ForwardArgs& a) { return at::gelu(a.in[0], a.node.attrs.b("tanh") ? "tanh" : "none"); }

// aten::gelu(x, approximate): "none" (the exact erf form) or "tanh".
ImportedNode geluImport(const TorchScriptArgs& a) {
  if (a.count() < 1 || a.count() > 2) a.unsupported(a.kind());
  const std::string approximate = a.count() == 2 ? a.string(1) : "none";
  if (approximate != "none" && approximate != "tanh") a.unsupported("aten::gelu with approximate='" + approximate + "'");
  ImportedNode node{Op::Gelu};
  node.inputs = {a.tensor(0)};
  node.attrs.set("tanh", approximate == "tanh");
  return node;
}

OpInfo gelu() {
  OpInfo op = activation<Op::Gelu>("gelu", geluForward);
  op.fromTorchScript = geluImport;
  return op;
}

OpInfo relu() {
  OpInfo op = activation<Op::Relu>("relu", reluForward);
  op.relevance = DefaultRelevance::ActiveMask;
  return op;
}

OpInfo sigmoid() {
  OpInfo op = activation<Op::Sigmoid>("sigmoid", sigmoidForward);
  op.gate = GateRole::Source;
  return op;
}

// Canonization's ReLU after a folded batch norm (Eq. 7–8); never imported.
at::Tensor threshReluForward(const ForwardArgs& a) {
  return threshRelu(a.in[0], a.param("threshold"), a.param("direction"));
}

MaybeShape threshReluShape(const ShapeArgs& a) { return withChannels(a.in(), a.node.param("threshold").size(0)); }

OpInfo thresholdRelu() {
  OpInfo op(Op::ThreshRelu, "thresh_relu", Category::ThreshRelu);
  op.relevance = DefaultRelevance::ActiveMask;
  op.forward = threshReluForward;
  op.shape = threshReluShape;
  op.elementwise = true;
  return op;
}

}  // namespace

std::vector<OpInfo> activationOps() {
  return {relu(), thresholdRelu(), activation<Op::Silu>("silu", siluForward), sigmoid(),
          activation<Op::Hardswish>("hardswish", hardswishForward), gelu()};
}

}  // namespace lrp
