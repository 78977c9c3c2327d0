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
  if (c.groups() == 1 && (c.node.op == Op::Conv2d || c.x.dim() == 2)) {
    // Every weight is 1 and the bias 0, so z_j is the size of j's receptive field, the same for
    // every output channel, and every input channel receives the same Σ_j R_j / z_j: sum R over
    // the output channels, divide by one channel of z, then one single-channel transposed
    // product, broadcast over the input channels.
    std::vector<int64_t> kernel = c.params.weight.sizes().vec();
    kernel[0] = 1;
    at::Tensor z = c.z(Term{one.input, at::ones(kernel, c.x.options()), at::Tensor()});
    at::Tensor summed = stabilizedDivide(c.R.sum(1, /*keepdim=*/true), z, c.rule.stabilizer);
    kernel[1] = 1;
    at::Tensor back = affineVjp(c.node, c.x.narrow(1, 0, 1), at::ones(kernel, c.x.options()), summed);
    return back.expand(c.x.sizes()).contiguous(c.x.suggest_memory_format());
  }
  return c.vjp(Term{at::ones_like(c.x), one.weight, at::Tensor()}, stabilizedDivide(c.R, c.z(one), c.rule.stabilizer));
}

}  // namespace

LRP_RULE(wsquare, "wsquare", wSquare, nullptr, "stabilizer", "zeroParams");
LRP_RULE(flat, "flat", flat, nullptr, "stabilizer", "zeroParams");

}  // namespace lrp
