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
  at::Tensor g = stabilizedDivide(c.R, c.z(one), c.rule.stabilizer);
  if (c.groups() == 1 && (c.node.op == Op::Conv2d || c.x.dim() == 2)) {
    // Every weight is 1, so every input channel receives the same Σ over output channels: sum g
    // over them first, then one single-channel transposed product, broadcast over the channels.
    at::Tensor summed = g.sum(1, /*keepdim=*/true);
    std::vector<int64_t> kernel = c.params.weight.sizes().vec();
    kernel[0] = kernel[1] = 1;
    at::Tensor back = affineVjp(c.node, c.x.narrow(1, 0, 1), at::ones(kernel, g.options()), summed);
    return back.expand(c.x.sizes()).contiguous();
  }
  return c.vjp(Term{at::ones_like(c.x), one.weight, at::Tensor()}, g);
}

}  // namespace

LRP_RULE(wsquare, "wsquare", wSquare, nullptr, "stabilizer", "zeroParams");
LRP_RULE(flat, "flat", flat, nullptr, "stabilizer", "zeroParams");

}  // namespace lrp
