// The generalized γ rule after a ReLU, in one pass (docs/explain.md, "Gamma"). With x ≥ 0 the
// rule's two denominators are z⁺_γ = z + γ·A and z⁻_γ = z + γ·(z − A), where z = Wx + b is the
// layer's output and A = W⁺x + b⁺ (so z − A = W⁻x + b⁻, computed once for every γ). The gradients
//   g⁺ = [z > 0] · R / stab(z⁺_γ),   g⁻ = [z < 0] · R / stab(z⁻_γ)
// then go back through W + γW⁺ and W + γW⁻. Written side by side along the channel axis, group by
// group ([g⁺_j; g⁻_j] for each convolution group j), they take one transposed convolution with the
// weights stacked the same way; for γ = 0 both weights are W and g⁺ + g⁻ is written instead.
#pragma once

#include <ATen/ATen.h>

namespace lrp {

// (N, 2C, …) stacked per group, or (N, C, …) summed when `stacked` is false. For γ = 0 the
// positive part is not read and may be undefined.
at::Tensor gammaGradients(const at::Tensor& relevance, const at::Tensor& z, const at::Tensor& positivePart,
                          double gamma, double stabilizer, int64_t groups, bool stacked);

// [W + γW⁺; W + γW⁻] stacked along the output axis group by group, matching gammaGradients.
at::Tensor gammaStackedWeight(const at::Tensor& weight, const at::Tensor& positiveWeight,
                              const at::Tensor& negativeWeight, double gamma, int64_t groups);

}  // namespace lrp
