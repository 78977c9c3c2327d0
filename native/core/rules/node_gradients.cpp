#include "node_gradients.h"

#include <torch/csrc/autograd/autograd.h>

#include "../ops/op_table.h"

namespace lrp {

std::vector<at::Tensor> nodeVjp(const NodeContext& c, const at::Tensor& g) {
  at::AutoGradMode enable(true);
  std::vector<at::Tensor> leaves, wrt;
  std::vector<int> index(c.x.size(), -1);
  for (size_t k = 0; k < c.x.size(); ++k) {
    leaves.push_back(c.x[k].detach());
    if (leaves[k].is_floating_point()) {
      leaves[k].requires_grad_(true);
      index[k] = static_cast<int>(wrt.size());
      wrt.push_back(leaves[k]);
    }
  }
  at::Tensor y = c.plan.runNode(c.id, leaves, c.sizeOf);
  std::vector<at::Tensor> out(c.x.size());
  if (!y.requires_grad() || wrt.empty()) return out;
  auto grads = torch::autograd::grad({y}, wrt, {g}, /*retain_graph=*/false, /*create_graph=*/false,
                                     /*allow_unused=*/true);
  for (size_t k = 0; k < c.x.size(); ++k) {
    if (index[k] >= 0) out[k] = grads[index[k]];
  }
  return out;
}

at::Tensor maxPoolVjp(const NodeContext& c, const at::Tensor& g) {
  const Attributes& a = c.node.attrs;
  const at::Tensor& x = c.x[0];
  auto argmax = [&] {
    return std::get<1>(at::max_pool2d_with_indices(x, a.ints("kernel"), a.ints("stride"), a.ints("padding"),
                                                   a.ints("dilation"), a.b("ceil_mode")));
  };
  TermCache* cache = c.cache;
  at::Tensor indices = !cache ? argmax() : cache->count("argmax") ? cache->at("argmax") : ((*cache)["argmax"] = argmax());
  return at::max_pool2d_with_indices_backward(g, x, a.ints("kernel"), a.ints("stride"), a.ints("padding"),
                                              a.ints("dilation"), a.b("ceil_mode"), indices);
}

at::Tensor reluActive(const NodeContext& c) {
  const at::Tensor& x = c.x[0];
  if (c.node.op == Op::Relu) return (x > 0).to(c.R.scalar_type());
  const auto& p = c.plan.params(c.id);
  std::vector<int64_t> shape(x.dim(), 1);
  shape[1] = -1;
  return ((x - p.at("threshold").view(shape)) * p.at("direction").view(shape) > 0).to(x.scalar_type());
}

bool isRelu(const Node& node) { return opInfo(node.op).relevance == DefaultRelevance::ActiveMask; }

}  // namespace lrp
