// LRP rules of conv and linear layers, as zennit 0.5.1's BasicHook computes them: for each term k,
// z_k = layer(in_k; modified W, b), g_k = mapped relevance / stabilized denominators, and the input
// relevance is a combination of in_k ⊙ (∂z_k/∂in_k)ᵀ g_k. A canonized convolution's bias map counts
// as its bias (biasMapInZ) or is left out of z (the paper's implementation).
#pragma once

#include <functional>
#include <map>
#include <string>

#include <ATen/ATen.h>

#include "ir.h"
#include "rules.h"

namespace lrp {

struct LayerParams {
  at::Tensor weight;
  at::Tensor bias;    // per output channel, per output position (C, H, W) for a bias map, or undefined
  at::Tensor output;  // the forward's output when it equals layer(x; weight, bias), to reuse; or undefined
  // Keeps parameter variants (W⁺, W⁻, b⁺, b⁻) across calls, e.g. Plan::derived; may be empty.
  std::function<at::Tensor(const std::string& key, const std::function<at::Tensor()>& make)> keep;
};

// Terms that do not depend on the relevance or the rule parameter, kept for the other
// configurations of one explainMany call (e.g. conv(x, W⁺) + b⁺ for every γ of a gamma grid).
using TermCache = std::map<std::string, at::Tensor>;

// Relevance at the layer's input for `relevance` at its output; `x` is the layer's input.
at::Tensor layerRelevance(const Node& node, const LayerParams& params, const Rule& rule, const at::Tensor& x,
                          const at::Tensor& relevance, TermCache* cache = nullptr);

}  // namespace lrp
