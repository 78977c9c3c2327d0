// constant-std (AttnLRP, Achtibat et al. ICML 2024, Prop. 3.4 with the ε-rule of Eq. 8): a layer
// norm y = w ⊙ (x − μ(x)) / σ(x) + b with its standard deviation σ = sqrt(Var(x) + eps) held
// constant is the affine map z = w ⊙ (x − μ(x)) / σ + b of x, over the normalized trailing axes;
// LRP-ε on it, with the bias b in z, gives
//   g = R / stab_ε(y),   u = w ⊙ g / σ,   R_in = x ⊙ (u − mean(u))
// since (∂z/∂x)ᵀ g = (I − 11ᵀ/N) diag(w/σ) g. Σ R_in = Σ (y − b) ⊙ g: conserved up to the bias.
#include "../stabilized_divide.h"
#include "rule_family.h"

namespace lrp {

namespace {

bool isLayerNorm(const OpInfo& info, Category) { return info.op == Op::LayerNorm; }

std::vector<at::Tensor> onNode(const NodeContext& c) {
  const at::Tensor& x = c.x[0];
  std::vector<int64_t> axes;
  for (size_t k = 1; k <= c.node.attrs.ints("shape").size(); ++k) axes.push_back(x.dim() - static_cast<int64_t>(k));
  const at::Tensor centered = x - x.mean(axes, /*keepdim=*/true);
  const at::Tensor sigma = at::sqrt(centered.pow(2).mean(axes, /*keepdim=*/true) + c.node.attrs.f("eps"));
  at::Tensor u = stabilizedDivide(c.R, c.y, c.rule.epsilon).div_(sigma);
  const auto& params = c.plan.params(c.id);
  if (params.count("weight")) u.mul_(params.at("weight"));
  return {x * (u - u.mean(axes, /*keepdim=*/true))};
}

}  // namespace

LRP_NODE_RULE(constantStd, "constant-std", onNode, isLayerNorm, "epsilon");

}  // namespace lrp
