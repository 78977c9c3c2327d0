// zbox (Montavon et al. 2017), for inputs bounded by low ≤ x ≤ high:
//   z = Wx + b − (W⁺l + b⁺) − (W⁻h + b⁻);  R = x ∘ Wᵀg − l ∘ W⁺ᵀg − h ∘ W⁻ᵀg,  g = R / stab(z)
// The bounds are alike for every sample: their terms are computed for one and broadcast, z once per
// call and node, and the three transposed products run as one with [W, W⁺, W⁻] stacked along the
// input axis (ungrouped layers).
#include <sstream>

#include "../errors.h"
#include "../stabilized_divide.h"
#include "rule_family.h"

namespace lrp {

namespace {

// zennit's expand for the bounds: a scalar, or one value per channel (dimension 1).
at::Tensor bound(const std::vector<double>& values, const at::Tensor& x, const char* name) {
  if (values.size() == 1) return at::full_like(x, values[0]);
  if (x.dim() < 2 || static_cast<int64_t>(values.size()) != x.size(1)) {
    throw Error(ErrorCode::BadArgument, std::string("zbox ") + name + " has " + std::to_string(values.size()) +
                                            " values, but the layer input has " +
                                            std::to_string(x.dim() < 2 ? 0 : x.size(1)) + " channels");
  }
  std::vector<int64_t> shape(x.dim(), 1);
  shape[1] = -1;
  return at::tensor(values, x.options()).view(shape).expand_as(x).contiguous(x.suggest_memory_format());
}

// The cache key of z: it depends on the bounds and the zeroed parameters.
std::string boundsKey(const Rule& rule) {
  std::ostringstream key;
  key.precision(17);
  key << "zbox";
  for (double v : rule.low) key << " l" << v;
  for (double v : rule.high) key << " h" << v;
  for (const auto& name : rule.zeroParams) key << " z" << name;
  return key.str();
}

at::Tensor onLayer(const LayerContext& c) {
  const Rule& rule = c.rule;
  if (rule.low.empty() || rule.high.empty()) throw Error(ErrorCode::BadArgument, "zbox needs low and high");
  const at::Tensor one = c.x.narrow(0, 0, 1);
  Term t0 = c.term(c.x, same), t1 = c.term(bound(rule.low, one, "low"), clampPositive, false, "+"),
       t2 = c.term(bound(rule.high, one, "high"), clampNegative, false, "-");
  at::Tensor z = c.cached(boundsKey(rule), [&] { return (c.plainZ() ? c.params.output : c.z(t0)) - c.z(t1) - c.z(t2); });
  at::Tensor g = stabilizedDivide(c.R, z, rule.stabilizer);
  if (c.groups() == 1) {
    at::Tensor w = at::cat({t0.weight, t1.weight, t2.weight}, 1);
    std::vector<int64_t> stackedInput = c.x.sizes().vec();
    stackedInput[1] *= 3;
    at::Tensor back = affineVjp(c.node, at::empty(stackedInput, c.x.options().memory_format(c.x.suggest_memory_format())), w, g);
    const int64_t n = c.x.size(1);
    return t0.input * back.narrow(1, 0, n) - t1.input * back.narrow(1, n, n) - t2.input * back.narrow(1, 2 * n, n);
  }
  return t0.input * c.vjp(t0, g) - t1.input * c.vjp(t1, g) - t2.input * c.vjp(t2, g);
}

}  // namespace

LRP_RULE(zbox, "zbox", onLayer, nullptr, "low", "high", "stabilizer", "zeroParams");

}  // namespace lrp
