// The modified ReLU gradients, on ReLUs (and ThreshReLUs) only:
//   relu-deconvnet:       R_in = max(R, 0)                         (Zeiler & Fergus 2014)
//   relu-guided-backprop: R_in = R · [x > 0] · [R > 0]             (Springenberg et al. 2015)
//   relu-beta-smooth:     R_in = R · sigmoid(β x), the softplus    (Dombrowski et al. 2019)
//                         gradient; for a ThreshReLU with threshold t and direction d, sigmoid(β d (x − t))
#include "node_gradients.h"
#include "rule_family.h"

namespace lrp {

namespace {

bool isReluFamily(const OpInfo& info, Category) { return info.relevance == DefaultRelevance::ActiveMask; }

std::vector<at::Tensor> deconvNet(const NodeContext& c) {
  return {c.R.clamp_min(0)};
}

std::vector<at::Tensor> guidedBackprop(const NodeContext& c) {
  return {c.R * reluActive(c) * (c.R > 0).to(c.R.scalar_type())};
}

std::vector<at::Tensor> betaSmooth(const NodeContext& c) {
  const double beta = c.rule.betaSmooth;
  if (c.node.op == Op::Relu) return {at::sigmoid(beta * c.x[0]) * c.R};
  const auto& p = c.plan.params(c.id);
  std::vector<int64_t> shape(c.x[0].dim(), 1);
  shape[1] = -1;
  at::Tensor d = p.at("direction").view(shape);
  return {at::sigmoid(beta * d * (c.x[0] - p.at("threshold").view(shape))) * c.R};
}

}  // namespace

LRP_NODE_RULE(deconvNet, "relu-deconvnet", deconvNet, isReluFamily);
LRP_NODE_RULE(guidedBackprop, "relu-guided-backprop", guidedBackprop, isReluFamily);
LRP_NODE_RULE(betaSmooth, "relu-beta-smooth", betaSmooth, isReluFamily, "betaSmooth");

}  // namespace lrp
