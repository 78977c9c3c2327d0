#include "layer_rules.h"

#include <algorithm>
#include <functional>
#include <sstream>

#include "errors.h"
#include "gamma_gradients.h"
#include "profile.h"
#include "stabilized_divide.h"

namespace lrp {

namespace {

using Modifier = std::function<at::Tensor(const at::Tensor&)>;

at::Tensor clampPositive(const at::Tensor& t) { return t.clamp_min(0); }
at::Tensor clampNegative(const at::Tensor& t) { return t.clamp_max(0); }
at::Tensor same(const at::Tensor& t) { return t; }

// z = layer(in; w, b): a bias is per channel or a (C, H, W) map.
at::Tensor affine(const Node& node, const at::Tensor& in, const at::Tensor& w, const at::Tensor& b) {
  if (node.op == Op::Linear) return at::linear(in, w, b);
  const Attributes& a = node.attrs;
  at::Tensor y = at::conv2d(in, w, {}, a.ints("stride"), a.ints("padding"), a.ints("dilation"), a.i("groups"));
  if (!b.defined()) return y;
  return y + (b.dim() == 1 ? b.view({1, -1, 1, 1}) : b.unsqueeze(0));
}

// (∂z/∂in)ᵀ g for z = layer(in; w, ·): a transposed convolution or gᵀW.
at::Tensor affineVjp(const Node& node, const at::Tensor& in, const at::Tensor& w, const at::Tensor& g) {
  if (node.op == Op::Linear) return at::matmul(g, w);
  const Attributes& a = node.attrs;
  return std::get<0>(at::convolution_backward(g, in, w, c10::nullopt, a.ints("stride"), a.ints("padding"),
                                              a.ints("dilation"), false, {0, 0}, a.i("groups"),
                                              {true, false, false}));
}

// One term of a BasicHook: the modified input and parameters (zennit's ParamMod: the modifier is
// applied to every parameter, except those in zero_params, which become 0).
struct Term {
  at::Tensor input, weight, bias;
};

class Terms {
 public:
  Terms(const LayerParams& p, const Rule& rule) : p_(p), zero_(rule.zeroParams) {}

  // `variant` names a modifier whose result depends only on the parameter ("+": max(·, 0), "-":
  // min(·, 0)), so it is kept across calls instead of recomputed.
  Term make(const at::Tensor& input, const Modifier& mod, bool zeroBias = false, const char* variant = nullptr) const {
    Term t;
    t.input = input;
    auto modified = [&](const at::Tensor& param, const char* name) {
      const bool perPosition = std::string(name) == "bias" && param.dim() != 1;  // a bias map: size-dependent
      if (!variant || !p_.keep || perPosition) return mod(param);
      return p_.keep(std::string(name) + variant, [&] { return mod(param).contiguous(); });
    };
    t.weight = zeroed("weight") ? at::zeros_like(p_.weight) : modified(p_.weight, "weight");
    if (p_.bias.defined() && !zeroBias && !zeroed("bias")) t.bias = modified(p_.bias, "bias");
    return t;
  }

 private:
  bool zeroed(const char* name) const { return std::find(zero_.begin(), zero_.end(), name) != zero_.end(); }
  const LayerParams& p_;
  std::vector<std::string> zero_;
};

at::Tensor z(const Node& node, const Term& t) { return affine(node, t.input, t.weight, t.bias); }
at::Tensor vjp(const Node& node, const Term& t, const at::Tensor& g) { return affineVjp(node, t.input, t.weight, g); }

// zennit's expand for ZBox bounds: a scalar, or one value per channel (dimension 1).
at::Tensor bound(const std::vector<double>& values, const at::Tensor& x, const char* name) {
  if (values.size() == 1) return at::full_like(x, values[0]);
  if (x.dim() < 2 || static_cast<int64_t>(values.size()) != x.size(1)) {
    throw Error(ErrorCode::BadArgument, std::string("zbox ") + name + " has " + std::to_string(values.size()) +
                                            " values, but the layer input has " +
                                            std::to_string(x.dim() < 2 ? 0 : x.size(1)) + " channels");
  }
  std::vector<int64_t> shape(x.dim(), 1);
  shape[1] = -1;
  return at::tensor(values, x.options()).view(shape).expand_as(x).contiguous();
}

// The cache key of a zbox z: it depends on the bounds and the zeroed parameters.
std::string boundsKey(const Rule& rule) {
  std::ostringstream key;
  key.precision(17);
  key << "zbox";
  for (double v : rule.low) key << " l" << v;
  for (double v : rule.high) key << " h" << v;
  for (const auto& name : rule.zeroParams) key << " z" << name;
  return key.str();
}

}  // namespace

at::Tensor layerRelevance(const Node& node, const LayerParams& params, const Rule& rule, const at::Tensor& x,
                          const at::Tensor& R, TermCache* cache) {
  Terms terms(params, rule);
  const double s = rule.stabilizer;
  // After a ReLU the input has no negative part: the x⁻ terms of the sign-split rules are zero
  // (their input is 0 and their bias is zeroed), so they are skipped — same result, half the work.
  const bool signSplit = rule.kind == RuleKind::ZPlus || rule.kind == RuleKind::AlphaBeta || rule.kind == RuleKind::Gamma;
  // z of a term that neither R nor the rule's parameter changes, computed once per explainMany.
  auto cached = [&](const std::string& key, const std::function<at::Tensor()>& compute) {
    if (!cache) return compute();
    auto found = cache->find(key);
    if (found != cache->end()) return found->second;
    ProfileScope scope("z-terms");
    return (*cache)[key] = compute();
  };
  const bool nonNegative = signSplit && x.numel() > 0 && cached("x >= 0", [&] { return (x.min() >= 0).cpu(); }).item<bool>();
  auto zOf = [&](const Term& t) { return z(node, t); };
  // x⁺ and x⁻ (x⁻ stays undefined when x has no negative part: its terms are skipped).
  at::Tensor xPos = nonNegative ? x : clampPositive(x);
  at::Tensor xNeg = nonNegative ? at::Tensor() : clampNegative(x);
  auto sumZ = [&](const Term& positivePart, const Term& negativePart) {
    return nonNegative ? zOf(positivePart) : zOf(positivePart) + zOf(negativePart);
  };
  auto contribution = [&](const Term& t, const at::Tensor& g) { return vjp(node, t, g).mul_(t.input); };
  auto split = [&](const Term& positivePart, const Term& negativePart, const at::Tensor& g) {
    return nonNegative ? contribution(positivePart, g) : contribution(positivePart, g) + contribution(negativePart, g);
  };
  const bool plainZ = rule.zeroParams.empty() && params.output.defined();
  const int64_t groups = node.op == Op::Conv2d ? node.attrs.i("groups") : 1;
  switch (rule.kind) {
    case RuleKind::Gradient:
      return affineVjp(node, x, params.weight, R);
    case RuleKind::Epsilon:
    case RuleKind::Norm: {
      // R_i = x_i · Σ_j w_ji R_j / stab(z_j)   (Bach et al. 2015, LRP-ε)
      Term t = rule.kind == RuleKind::Norm ? Term{x, params.weight, params.bias} : terms.make(x, same);
      double eps = rule.kind == RuleKind::Epsilon ? rule.epsilon : s;
      at::Tensor zt = plainZ ? params.output : z(node, t);
      return vjp(node, t, stabilizedDivide(R, zt, eps)).mul_(x);
    }
    case RuleKind::ZPlus: {
      // z⁺ = W⁺x⁺ + b⁺ + W⁻x⁻;  R_i = (x⁺_i w⁺_ji + x⁻_i w⁻_ji) R_j / stab(z⁺_j)
      Term a = terms.make(xPos, clampPositive, false, "+"), b = terms.make(xNeg, clampNegative, true, "-");
      at::Tensor za = rule.zeroParams.empty() ? cached("z+", [&] { return sumZ(a, b); }) : sumZ(a, b);
      at::Tensor g = stabilizedDivide(R, za, s);
      return split(a, b, g);
    }
    case RuleKind::AlphaBeta: {
      // R = α·(positive contributions)/z⁺ − β·(negative contributions)/z⁻, α − β = 1
      if (rule.alpha < 0 || rule.beta < 0 || rule.alpha - rule.beta != 1.0) {
        throw Error(ErrorCode::BadArgument, "alpha-beta needs alpha, beta >= 0 and alpha - beta = 1 (got alpha " +
                                                std::to_string(rule.alpha) + ", beta " + std::to_string(rule.beta) + ")");
      }
      Term p0 = terms.make(xPos, clampPositive, false, "+"), p1 = terms.make(xNeg, clampNegative, true, "-");
      Term n0 = terms.make(xPos, clampNegative, false, "-"), n1 = terms.make(xNeg, clampPositive, true, "+");
      bool share = rule.zeroParams.empty();
      at::Tensor zp = share ? cached("z+", [&] { return sumZ(p0, p1); }) : sumZ(p0, p1);
      at::Tensor zn = share ? cached("z-", [&] { return sumZ(n0, n1); }) : sumZ(n0, n1);
      at::Tensor gp = stabilizedDivide(R, zp, s);
      at::Tensor gn = stabilizedDivide(R, zn, s);
      return rule.alpha * split(p0, p1, gp) - rule.beta * split(n0, n1, gn);
    }
    case RuleKind::Gamma: {
      // Generalized γ (Montavon et al. 2019; Andéol et al. 2021): where z > 0 the positive
      // contributions x⁺(W + γW⁺) + x⁻(W + γW⁻) share R, where z < 0 the negative ones do.
      const double gamma = rule.gamma;
      if (nonNegative && plainZ) {
        // z⁺_γ and z⁻_γ from the output z and A = W⁺x + b⁺, one convolution for every γ; then one
        // fused division and one transposed convolution with [W + γW⁺; W + γW⁻] per relevance
        // (gamma_gradients.h). γ = 0 leaves both weights W: one transposed convolution with W.
        if (gamma == 0) {
          return affineVjp(node, x, params.weight, gammaGradients(R, params.output, {}, 0, s, groups, false)).mul_(x);
        }
        Term positive = terms.make(x, clampPositive, false, "+");
        at::Tensor a = cached("w+x", [&] { return z(node, positive); });
        at::Tensor w = gammaStackedWeight(params.weight, positive.weight, terms.make(x, clampNegative, false, "-").weight,
                                          gamma, groups);
        return affineVjp(node, x, w, gammaGradients(R, params.output, a, gamma, s, groups, true)).mul_(x);
      }
      auto plus = [gamma](const at::Tensor& w) { return w + gamma * w.clamp_min(0); };
      auto minus = [gamma](const at::Tensor& w) { return w + gamma * w.clamp_max(0); };
      Term t0 = terms.make(xPos, plus), t1 = terms.make(xNeg, minus, true);
      Term t2 = terms.make(xPos, minus), t3 = terms.make(xNeg, plus, true);
      at::Tensor out = params.output.defined() ? params.output : affine(node, x, params.weight, params.bias);
      at::Tensor zp = sumZ(t0, t1), zn = sumZ(t2, t3);
      at::Tensor gp = (out > 0).to(R.scalar_type()) * stabilizedDivide(R, zp, s);
      at::Tensor gn = (out < 0).to(R.scalar_type()) * stabilizedDivide(R, zn, s);
      return split(t0, t1, gp) + split(t2, t3, gn);
    }
    case RuleKind::ZBox: {
      // z = Wx + b − (W⁺l + b⁺) − (W⁻h + b⁻);  R = (x ∘ Wᵀg − l ∘ W⁺ᵀg − h ∘ W⁻ᵀg), g = R/stab(z)
      if (rule.low.empty() || rule.high.empty()) throw Error(ErrorCode::BadArgument, "zbox needs low and high");
      // The bounds are alike for every sample: their terms are computed for one and broadcast.
      const at::Tensor one = x.narrow(0, 0, 1);
      Term t0 = terms.make(x, same), t1 = terms.make(bound(rule.low, one, "low"), clampPositive, false, "+"),
           t2 = terms.make(bound(rule.high, one, "high"), clampNegative, false, "-");
      at::Tensor zBox = cached(boundsKey(rule), [&] {
        return (plainZ ? params.output : z(node, t0)) - z(node, t1) - z(node, t2);
      });
      at::Tensor g = stabilizedDivide(R, zBox, s);
      if (groups == 1) {
        // The three transposed products in one, with [W, W⁺, W⁻] stacked along the input axis.
        at::Tensor w = at::cat({t0.weight, t1.weight, t2.weight}, 1);
        std::vector<int64_t> stackedInput = x.sizes().vec();
        stackedInput[1] *= 3;
        at::Tensor back = affineVjp(node, at::empty(stackedInput, x.options()), w, g);
        const int64_t c = x.size(1);
        return t0.input * back.narrow(1, 0, c) - t1.input * back.narrow(1, c, c) - t2.input * back.narrow(1, 2 * c, c);
      }
      return t0.input * vjp(node, t0, g) - t1.input * vjp(node, t1, g) - t2.input * vjp(node, t2, g);
    }
    case RuleKind::WSquare: {
      // R_i = Σ_j w²_ji R_j / stab(Σ_i w²_ji + b²_j)
      Term t = terms.make(at::ones_like(x), [](const at::Tensor& w) { return w * w; });
      return vjp(node, t, stabilizedDivide(R, z(node, t), s));
    }
    case RuleKind::Flat: {
      // WSquare with every weight 1 and no bias: R spreads evenly over each output's receptive field.
      // z does not depend on the sample: computed for one and broadcast over the batch.
      Term one{at::ones_like(x.narrow(0, 0, 1)), at::ones_like(params.weight), at::Tensor()};
      Term t{at::ones_like(x), one.weight, at::Tensor()};
      return vjp(node, t, stabilizedDivide(R, z(node, one), s));
    }
    default:
      throw Error(ErrorCode::BadArgument, std::string("rule '") + ruleName(rule.kind) + "' does not apply to " +
                                              opName(node.op) + " '" + node.name + "'");
  }
}

}  // namespace lrp
