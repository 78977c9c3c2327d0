// CUDA kernels of canonized graphs, compiled only when libtorch has CUDA (LRP_WITH_CUDA=1).
// CPU versions and the math: border_bias_conv.h and thresh_relu.h in native/core.
#pragma once

#include <ATen/ATen.h>

namespace lrp::cuda {

// y[n,o,i,j] += residual[o,i,j] outside the interior rows [rowBegin, rowEnd) × cols [colBegin, colEnd).
void addBorderBias(at::Tensor& y, const at::Tensor& residual, int64_t rowBegin, int64_t rowEnd, int64_t colBegin,
                   int64_t colEnd);

// z = max(x, θ_c) where direction_c > 0, min(x, θ_c) where < 0, 0 where 0; one pass.
at::Tensor threshRelu(const at::Tensor& x, const at::Tensor& threshold, const at::Tensor& direction);

}  // namespace lrp::cuda
