// Attribution methods other than plain LRP, with zennit 0.5.1's definitions: the gradient,
// SmoothGrad, Integrated Gradients (each optionally with LRP rules, i.e. the "modified gradient"),
// and occlusion. The many model evaluations each needs run as large batches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "propagate.h"

namespace lrp {

enum class Method { Lrp, Gradient, SmoothGrad, IntegratedGradients, Occlusion };
Method parseMethod(const std::string& name);

struct MethodParams {
  int64_t samples = 20;              // SmoothGrad / Integrated Gradients iterations (zennit's n_iter)
  double noiseLevel = 0.1;           // SmoothGrad: σ / (x_max − x_min) per sample
  std::vector<int64_t> window{8};    // occlusion window over the trailing dims (one value: every non-batch dim)
  std::vector<int64_t> stride{8};
  uint64_t seed = 0;                 // SmoothGrad noise
  int64_t maxBatch = 64;             // samples per forward when a method evaluates many inputs
};

// The attribution of the first input; `ruleSet` applies to the gradient-based methods.
Explanation attribute(const Plan& plan, const std::vector<at::Tensor>& inputs, const std::vector<int64_t>& targets,
                      const RuleSet& ruleSet, Method method, const MethodParams& params);

struct MethodConfig {
  RuleSet ruleSet;
  Method method = Method::Lrp;
  MethodParams params;
};

// Every config's attribution, in order: the LRP and gradient ones share one forward (a tape).
std::vector<Explanation> attributeAll(const Plan& plan, const std::vector<at::Tensor>& inputs,
                                      const std::vector<int64_t>& targets, const std::vector<MethodConfig>& configs);

}  // namespace lrp
