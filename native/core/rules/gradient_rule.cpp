// gradient: the vector-Jacobian product, what a node without a rule gets. ReLUs, ThreshReLUs and
// max pooling take their gradient directly, without building an autograd graph.
#include "node_gradients.h"
#include "rule_family.h"

namespace lrp {

namespace {

at::Tensor onLayer(const LayerContext& c) { return affineVjp(c.node, c.x, c.params.weight, c.R); }

std::vector<at::Tensor> onNode(const NodeContext& c) {
  if (c.node.op == Op::Relu) return {at::threshold_backward(c.R, c.x[0], 0)};  // one fused pass
  if (c.node.op == Op::ThreshRelu) return {c.R * reluActive(c)};
  if (c.node.op == Op::MaxPool2d) return {maxPoolVjp(c, c.R)};
  return nodeVjp(c, c.R);
}

}  // namespace

LRP_RULE(gradient, "gradient", onLayer, onNode);

}  // namespace lrp
