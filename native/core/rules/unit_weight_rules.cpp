// wsquare and flat (Montavon et al. 2017), which ignore the input:
//   wsquare: R_i = Σ_j w²_ji R_j / stab(Σ_i w²_ji + b²_j)
//   flat:    wsquare with every weight 1 and no bias: R spreads evenly over each output's receptive
//            field; its z does not depend on the sample, so it is computed for one and broadcast.
#include "../stabilized_divide.h"
#include "rule_family.h"

namespace lrp {

namespace {

at::Tensor wSquare(const LayerContext& c) {
  Term t = c.term(at::ones_like(c.x), [](const at::Tensor& w) { return w * w; });
  return c.vjp(t, stabilizedDivide(c.R, c.z(t), c.rule.stabilizer));
}

at::Tensor flat(const LayerContext& c) {
  Term one{at::ones_like(c.x.narrow(0, 0, 1)), at::ones_like(c.params.weight), at::Tensor()};
  Term t{at::ones_like(c.x), one.weight, at::Tensor()};
  return c.vjp(t, stabilizedDivide(c.R, c.z(one), c.rule.stabilizer));
}

}  // namespace

LRP_RULE(wsquare, "wsquare", wSquare, nullptr);
LRP_RULE(flat, "flat", flat, nullptr);

}  // namespace lrp
