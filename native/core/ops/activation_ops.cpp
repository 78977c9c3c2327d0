// Element-wise activations (which ones: docs/operators.md, generated from this table): one input,
// an output of the same shape. An element-wise operator is one entry here (its forward and
// TorchScript names); input checks and rank inference look through it, and LRP gives it its
// gradient unless a rule says otherwise (AttnLRP's identity rule on GELU and SiLU is `pass`).
#include <cmath>
#include <limits>

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
at::Tensor hardsigmoidForward(const ForwardArgs& a) { return at::hardsigmoid(a.in[0]); }
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
  op.sign = SignFlow::NonNegative;
  return op;
}

// An activation with values in [0, 1]: it makes squeeze-excitation gates (structural.h).
OpInfo gateSource(OpInfo op) {
  op.gate = GateRole::Source;
  op.sign = SignFlow::NonNegative;
  return op;
}

OpInfo sigmoid() { return gateSource(activation<Op::Sigmoid>("sigmoid", sigmoidForward)); }

// MobileNetV3's squeeze-excitation gate: relu6(x + 3) / 6, in [0, 1], a gate source like sigmoid.
OpInfo hardsigmoid() { return gateSource(activation<Op::Hardsigmoid>("hardsigmoid", hardsigmoidForward)); }

// --- hardtanh (ReLU6), clamp: x limited to [min, max] -------------------------------------------
// Both keep attrs min and max (±inf where a bound is absent). Their gradients differ on the bounds
// (hardtanh's is 0 there, clamp's 1), as torch's do, so each runs its own ATen op.

at::Tensor hardtanhForward(const ForwardArgs& a) {
  return at::hardtanh(a.in[0], a.node.attrs.f("min"), a.node.attrs.f("max"));
}

at::Tensor clampForward(const ForwardArgs& a) {
  const double lo = a.node.attrs.f("min"), hi = a.node.attrs.f("max");
  if (std::isinf(hi)) return at::clamp_min(a.in[0], lo);
  if (std::isinf(lo)) return at::clamp_max(a.in[0], hi);
  return at::clamp(a.in[0], lo, hi);
}

SignFlow boundedSign(const Node& node) {
  return node.attrs.f("min") >= 0 ? SignFlow::NonNegative : SignFlow::Unknown;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

// aten::hardtanh(x, min, max); aten::relu6(x) is hardtanh(x, 0, 6).
ImportedNode hardtanhImport(const TorchScriptArgs& a) {
  ImportedNode node{Op::Hardtanh};
  node.inputs = {a.tensor(0)};
  const bool relu6 = a.kind().rfind("aten::relu6", 0) == 0;
  if (relu6 ? a.count() != 1 : a.count() != 3) a.unsupported(a.kind());
  node.attrs.set("min", relu6 ? 0.0 : a.number(1));
  node.attrs.set("max", relu6 ? 6.0 : a.number(2));
  return node;
}

// aten::clamp(x, min?, max?), aten::clamp_min(x, min), aten::clamp_max(x, max), with numbers.
ImportedNode clampImport(const TorchScriptArgs& a) {
  ImportedNode node{Op::Clamp};
  node.inputs = {a.tensor(0)};
  const std::string& kind = a.kind();
  const bool onlyMin = kind.rfind("aten::clamp_min", 0) == 0, onlyMax = kind.rfind("aten::clamp_max", 0) == 0;
  if (a.count() != (onlyMin || onlyMax ? 2u : 3u)) a.unsupported(kind);
  auto bound = [&](size_t i, double absent) {
    if (a.isNone(i)) return absent;
    if (!a.isNumber(i)) a.unsupported(kind + " with a tensor bound");
    return a.number(i);
  };
  node.attrs.set("min", onlyMax ? -kInf : bound(1, -kInf));
  node.attrs.set("max", onlyMin ? kInf : bound(onlyMax ? 1 : 2, kInf));
  return node;
}

OpInfo bounded(Op kind, const char* name, ForwardFn forward, ImportFn import, std::vector<std::string> aliases) {
  OpInfo op = atenOp(kind, name, Category::Activation, forward, sameShape, import);
  op.torchScriptKinds.clear();
  for (const auto& alias : aliases) for (const auto& k : atenWithInPlace(alias)) op.torchScriptKinds.push_back(k);
  op.elementwise = true;
  op.signOf = boundedSign;
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
  return {relu(),
          thresholdRelu(),
          activation<Op::Silu>("silu", siluForward),
          sigmoid(),
          activation<Op::Hardswish>("hardswish", hardswishForward),
          hardsigmoid(),
          bounded(Op::Hardtanh, "hardtanh", hardtanhForward, hardtanhImport, {"hardtanh", "relu6"}),
          bounded(Op::Clamp, "clamp", clampForward, clampImport, {"clamp", "clamp_min", "clamp_max"}),
          gelu()};
}

}  // namespace lrp
