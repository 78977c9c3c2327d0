// What the rules of convolutions and dense layers share, as zennit 0.5.1's BasicHook computes them:
// for each term k, z_k = layer(in_k; modified W, b), g_k = relevance / stabilized denominators, and
// the input relevance combines in_k ⊙ (∂z_k/∂in_k)ᵀ g_k. A canonized convolution's bias map counts
// as its bias (biasMapInZ) or is left out of z (the paper's implementation).
#pragma once

#include <functional>
#include <map>
#include <string>

#include <ATen/ATen.h>

#include "../ir.h"
#include "../rules.h"

namespace lrp {

struct LayerParams {
  at::Tensor weight;
  at::Tensor bias;    // per output channel, per output position (C, H, W) for a bias map, or undefined
  at::Tensor output;  // the forward's output when it equals layer(x; weight, bias), to reuse; or undefined
  // Keeps parameter variants (W⁺, W⁻, b⁺, b⁻) across calls, e.g. Plan::derived; may be empty.
  std::function<at::Tensor(const std::string& key, const std::function<at::Tensor()>& make)> keep;
  bool inputNonNegative = false;  // x ≥ 0 by the graph's construction (after a ReLU)
};

// Terms that depend neither on the relevance nor on the rule's parameter, kept for the other
// configurations of one explainMany call (e.g. conv(x, W⁺) + b⁺ for every γ of a gamma grid).
using TermCache = std::map<std::string, at::Tensor>;

using Modifier = std::function<at::Tensor(const at::Tensor&)>;
inline at::Tensor clampPositive(const at::Tensor& t) { return t.clamp_min(0); }
inline at::Tensor clampNegative(const at::Tensor& t) { return t.clamp_max(0); }
inline at::Tensor same(const at::Tensor& t) { return t; }

// z = layer(in; w, b): a bias is per channel or a (C, H, W) map.
at::Tensor affine(const Node& node, const at::Tensor& in, const at::Tensor& w, const at::Tensor& b);
// (∂z/∂in)ᵀ g for z = layer(in; w, ·): a transposed convolution or gᵀW (`in` gives the sizes only).
// With `flipped` (flippedKernel(w), where convolvesForward holds) it runs as a forward convolution.
at::Tensor affineVjp(const Node& node, const at::Tensor& in, const at::Tensor& w, const at::Tensor& g,
                     const at::Tensor& flipped = at::Tensor());
// A stride-1 ungrouped CPU convolution in channels-last memory: its transposed product is the
// forward convolution of g with the kernel flipped in space and transposed (in ↔ out channels),
// padded by dilation·(k − 1) − padding. oneDNN runs that faster than its backward-data pass.
bool convolvesForward(const Node& node, const at::Tensor& w);
at::Tensor flippedKernel(const at::Tensor& w);

// One term of a BasicHook: the modified input and parameters.
struct Term {
  at::Tensor input, weight, bias;
  // The key LayerParams::keep holds `weight` under, when it is kept across calls; its flipped
  // kernel is kept next to it. Empty: made for this call only.
  std::string weightKey = {};
};

// A rule's view of one layer: its parameters, input, output relevance and the call's shared terms.
struct LayerContext {
  const Node& node;
  const LayerParams& params;
  const Rule& rule;
  const at::Tensor& x;
  const at::Tensor& R;
  TermCache* cache;

  // A term with zennit's ParamMod: the modifier applies to every parameter, except those in
  // zero_params, which become 0. `variant` names a modifier whose result depends only on the
  // parameter ("+": max(·, 0), "-": min(·, 0), "": the parameter itself), so it is kept across
  // calls instead of recomputed.
  Term term(const at::Tensor& input, const Modifier& mod, bool zeroBias = false, const char* variant = nullptr) const;
  at::Tensor z(const Term& t) const { return affine(node, t.input, t.weight, t.bias); }
  at::Tensor vjp(const Term& t, const at::Tensor& g) const;
  // The layer's own weight, kept (for a vjp through it).
  Term plainTerm(const at::Tensor& input) const { return Term{input, params.weight, params.bias, "weight"}; }
  // A tensor computed once per call and node for every configuration (a "z-term").
  at::Tensor cached(const std::string& key, const std::function<at::Tensor()>& compute) const;
  // z can be the forward's own output: no zeroed parameter and the output kept.
  bool plainZ() const { return rule.zeroParams.empty() && params.output.defined(); }
  int64_t groups() const { return node.op == Op::Conv2d ? node.attrs.i("groups") : 1; }
  // The input has no negative part (after a ReLU), found once per call and node.
  bool inputNonNegative() const;
};

// The sign-split rules' two parts of the input, x⁺ and x⁻; after a ReLU x⁻ = 0 and the terms of
// x⁻ (input 0, bias zeroed) vanish, so they are skipped — same result, half the work.
struct SignSplit {
  explicit SignSplit(const LayerContext& layer);
  // z of a positive-part term plus z of its negative-part twin.
  at::Tensor z(const Term& positivePart, const Term& negativePart) const;
  // Σ input ⊙ (∂z/∂input)ᵀ g over both parts.
  at::Tensor contribution(const Term& positivePart, const Term& negativePart, const at::Tensor& g) const;

  const LayerContext& layer;
  bool nonNegative;
  at::Tensor xPos, xNeg;  // xNeg undefined when nonNegative
};

}  // namespace lrp
