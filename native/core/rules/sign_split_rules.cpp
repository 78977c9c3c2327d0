// zplus and alpha-beta (Bach et al. 2015; Montavon et al. 2019), with zennit's terms:
//   zplus:      z⁺ = W⁺x⁺ + b⁺ + W⁻x⁻;  R_i = (x⁺_i w⁺_ji + x⁻_i w⁻_ji) R_j / stab(z⁺_j)
//   alpha-beta: R = α·(positive contributions)/z⁺ − β·(negative contributions)/z⁻, α − β = 1,
//               z⁻ = W⁻x⁺ + b⁻ + W⁺x⁻
// z⁺ and z⁻ depend on neither R nor α, β: computed once per call and node.
#include "../stabilized_divide.h"
#include "rule_family.h"

namespace lrp {

namespace {

at::Tensor zPlus(const LayerContext& c) {
  SignSplit split(c);
  Term a = c.term(split.xPos, clampPositive, false, "+"), b = c.term(split.xNeg, clampNegative, true, "-");
  auto z = [&] { return split.z(a, b); };
  at::Tensor za = c.rule.zeroParams.empty() ? c.cached("z+", z) : z();
  return split.contribution(a, b, stabilizedDivide(c.R, za, c.rule.stabilizer));
}

at::Tensor alphaBeta(const LayerContext& c) {
  // α, β ≥ 0 and α − β = 1 are the options schema's to check (lib/options/rule_schema.ts): the addon trusts it.
  const Rule& rule = c.rule;
  SignSplit split(c);
  Term p0 = c.term(split.xPos, clampPositive, false, "+"), p1 = c.term(split.xNeg, clampNegative, true, "-");
  Term n0 = c.term(split.xPos, clampNegative, false, "-"), n1 = c.term(split.xNeg, clampPositive, true, "+");
  const bool share = rule.zeroParams.empty();
  at::Tensor zp = share ? c.cached("z+", [&] { return split.z(p0, p1); }) : split.z(p0, p1);
  at::Tensor zn = share ? c.cached("z-", [&] { return split.z(n0, n1); }) : split.z(n0, n1);
  at::Tensor gp = stabilizedDivide(c.R, zp, rule.stabilizer);
  at::Tensor gn = stabilizedDivide(c.R, zn, rule.stabilizer);
  return rule.alpha * split.contribution(p0, p1, gp) - rule.beta * split.contribution(n0, n1, gn);
}

}  // namespace

LRP_RULE(zplus, "zplus", zPlus, nullptr, "stabilizer", "zeroParams");
LRP_RULE(alphaBeta, "alpha-beta", alphaBeta, nullptr, "alpha", "beta", "stabilizer", "zeroParams");

}  // namespace lrp
