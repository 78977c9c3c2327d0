// gradient: the vector-Jacobian product, what a node without a rule gets. ReLUs, ThreshReLUs and
// max pooling take their gradient directly, without building an autograd graph.
#include "../ops/op_table.h"
#include "node_gradients.h"
#include "rule_family.h"

namespace lrp {

namespace {

at::Tensor onLayer(const LayerContext& c) { return c.vjp(c.plainTerm(c.x), c.R); }

std::vector<at::Tensor> onNode(const NodeContext& c) {
  if (c.node.op == Op::Relu) return {at::threshold_backward(c.R, c.x[0], 0)};  // one fused pass
  if (opInfo(c.node.op).relevance == DefaultRelevance::ActiveMask) return {c.R * reluActive(c)};
  if (opInfo(c.node.op).relevance == DefaultRelevance::ArgmaxRouting) return {maxPoolVjp(c, c.R)};
  return nodeVjp(c, c.R);
}

}  // namespace

LRP_RULE(gradient, "gradient", onLayer, onNode);

}  // namespace lrp
