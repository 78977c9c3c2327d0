// gamma: zennit's generalized γ rule (Montavon et al. 2019; Andéol et al. 2021), four terms: where
// z_j > 0, R_j is shared by x⁺(W + γW⁺) + x⁻(W + γW⁻) (bias b + γb⁺); where z_j < 0, by
// x⁺(W + γW⁻) + x⁻(W + γW⁺) (bias b + γb⁻). After a ReLU (x ≥ 0) two terms remain and z gives both
// denominators with A = W⁺x + b⁺ (gamma_gradients.h, docs/explain.md "Gamma after a ReLU").
#include "../stabilized_divide.h"
#include "gamma_gradients.h"
#include "rule_family.h"

namespace lrp {

namespace {

// x ≥ 0: one convolution for A per call and node, shared by every γ; then one fused division and one
// transposed convolution with [W + γW⁺; W + γW⁻] per relevance. γ = 0 leaves both weights W: one
// transposed convolution with W, and A is not needed.
at::Tensor afterRelu(const LayerContext& c, double gamma) {
  const double s = c.rule.stabilizer;
  const int64_t groups = c.groups();
  if (gamma == 0) {
    return c.vjp(c.plainTerm(c.x), gammaGradients(c.R, c.params.output, {}, 0, s, groups, false)).mul_(c.x);
  }
  Term positive = c.term(c.x, clampPositive, false, "+");
  at::Tensor a = c.cached("w+x", [&] { return c.z(positive); });
  at::Tensor w = gammaStackedWeight(c.params.weight, positive.weight, c.term(c.x, clampNegative, false, "-").weight,
                                    gamma, groups);
  return affineVjp(c.node, c.x, w, gammaGradients(c.R, c.params.output, a, gamma, s, groups, true)).mul_(c.x);
}

at::Tensor onLayer(const LayerContext& c) {
  const double gamma = c.rule.gamma, s = c.rule.stabilizer;
  SignSplit split(c);
  if (split.nonNegative && c.plainZ()) return afterRelu(c, gamma);
  auto plus = [gamma](const at::Tensor& w) { return w + gamma * w.clamp_min(0); };
  auto minus = [gamma](const at::Tensor& w) { return w + gamma * w.clamp_max(0); };
  Term t0 = c.term(split.xPos, plus), t1 = c.term(split.xNeg, minus, true);
  Term t2 = c.term(split.xPos, minus), t3 = c.term(split.xNeg, plus, true);
  at::Tensor out = c.params.output.defined() ? c.params.output : affine(c.node, c.x, c.params.weight, c.params.bias);
  at::Tensor gp = (out > 0).to(c.R.scalar_type()) * stabilizedDivide(c.R, split.z(t0, t1), s);
  at::Tensor gn = (out < 0).to(c.R.scalar_type()) * stabilizedDivide(c.R, split.z(t2, t3), s);
  return split.contribution(t0, t1, gp) + split.contribution(t2, t3, gn);
}

}  // namespace

LRP_RULE(gamma, "gamma", onLayer, nullptr, "gamma", "stabilizer", "zeroParams");

}  // namespace lrp
