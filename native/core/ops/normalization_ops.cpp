// Normalizations whose statistics come from the sample itself: layer norm over the trailing axes
// (transformers; ConvNeXt's channels-last LayerNorm2d between two permutes). Unlike a batch norm
// it is not an affine map of its input, so canonization cannot fold it; AttnLRP's rule holds its
// standard deviation constant (rules/layer_norm_rule.cpp).
#include "op_families.h"

namespace lrp {

namespace {

at::Tensor layerNormForward(const ForwardArgs& a) {
  return at::layer_norm(a.in[0], a.node.attrs.ints("shape"), a.optionalParam("weight"), a.optionalParam("bias"),
                        a.node.attrs.f("eps"));
}

// aten::layer_norm(input, normalized_shape, weight, bias, eps, cudnn_enable)
ImportedNode layerNormImport(const TorchScriptArgs& a) {
  ImportedNode node{Op::LayerNorm};
  node.attrs.set("shape", a.ints(1));
  node.attrs.set("eps", a.number(4));
  if (!a.isNone(2)) node.params["weight"] = a.weight(2);
  if (!a.isNone(3)) node.params["bias"] = a.weight(3);
  node.inputs = {a.tensor(0)};
  return node;
}

// The normalized trailing axes fix the input's last size (and the rank's lower bound).
InputRequirement layerNormRequirement(const Node& node) { return {-1, kLastDim, node.attrs.ints("shape").back()}; }

OpInfo layerNorm() {
  OpInfo op = atenOp(Op::LayerNorm, "layer_norm", Category::LayerNorm, layerNormForward, sameShape, layerNormImport);
  op.inputRequirement = layerNormRequirement;
  return op;
}

}  // namespace

std::vector<OpInfo> normalizationOps() { return {layerNorm()}; }

}  // namespace lrp
