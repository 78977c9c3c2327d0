// epsilon and norm (Bach et al. 2015, LRP-ε):
//   R_i = x_i · Σ_j (∂z_j/∂x_i) R_j / stab(z_j),   stab(z) = z + ε·sign(z), sign(0) = +1
// On a layer z = Wx + b (epsilon applies zero_params; norm uses the layer as it is); on any other
// node z is its output, so sums and average pooling share relevance in proportion to each input's
// contribution. epsilon's ε is its `epsilon`, norm's its `stabilizer`.
#include "../stabilized_divide.h"
#include "node_gradients.h"
#include "rule_family.h"

namespace lrp {

namespace {

double epsilonOf(const Rule& rule, bool norm) { return norm ? rule.stabilizer : rule.epsilon; }

template <bool norm>
at::Tensor onLayer(const LayerContext& c) {
  Term t = norm ? c.plainTerm(c.x) : c.term(c.x, same, false, "");
  at::Tensor z = c.plainZ() ? c.params.output : c.z(t);
  return c.vjp(t, stabilizedDivide(c.R, z, epsilonOf(c.rule, norm))).mul_(c.x);
}

template <bool norm>
std::vector<at::Tensor> onNode(const NodeContext& c) {
  at::Tensor g = stabilizedDivide(c.R, c.y, epsilonOf(c.rule, norm));
  const auto& x = c.x;
  if (c.node.op == Op::Add && x.size() == 2 && x[0].sizes().equals(c.y.sizes()) && x[1].sizes().equals(c.y.sizes())) {
    return {x[0] * g, x[1] * g};  // y = x₀ + x₁: ∂y/∂x_k = 1, no autograd needed
  }
  auto grads = nodeVjp(c, g);
  for (size_t k = 0; k < grads.size(); ++k) {
    if (grads[k].defined()) grads[k] = c.x[k] * grads[k];
  }
  return grads;
}

}  // namespace

LRP_RULE(epsilon, "epsilon", onLayer<false>, onNode<false>, "epsilon", "zeroParams");
LRP_RULE(norm, "norm", onLayer<true>, onNode<true>, "stabilizer");

}  // namespace lrp
