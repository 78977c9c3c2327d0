// softmax-taylor (AttnLRP, Achtibat et al. ICML 2024, Prop. 3.1): a softmax s = softmax(x) over
// one axis, decomposed by Deep Taylor at x itself (the bias term included):
//   R_in = x ⊙ (R − s ⊙ Σ_j R_j)   (Σ over the softmax axis)
// Masked positions (x = −∞, s = 0) get no relevance.
#include "rule_family.h"

namespace lrp {

namespace {

bool isSoftmax(const OpInfo& info, Category) { return info.op == Op::Softmax; }

std::vector<at::Tensor> onNode(const NodeContext& c) {
  const at::Tensor& x = c.x[0];
  const std::vector<int64_t> axis{c.node.attrs.i("dim")};
  at::Tensor shared = c.y * c.R.sum(axis, /*keepdim=*/true);
  return {at::where(at::isneginf(x), at::zeros_like(x), x) * (c.R - shared)};
}

}  // namespace

LRP_NODE_RULE(softmaxTaylor, "softmax-taylor", onNode, isSoftmax);

}  // namespace lrp
