// ThreshReLU, the activation canonization puts where a batch norm moved through a ReLU (Pahde et
// al. 2023, Eq. 7–8): relu(s·x + t) = s·ThreshReLU(x) + t' with, per channel c,
//   ThreshReLU(x) = max(x, θ_c) where s_c > 0,  min(x, θ_c) where s_c < 0,  0 where s_c = 0,
// θ_c = −t_c / s_c; "direction" holds sign(s_c). Written as z = d ⊙ max(d ⊙ x, d ⊙ θ).
#pragma once

#include <ATen/ATen.h>

namespace lrp {

// One pass over x on the CPU (and on CUDA in CMake builds with CUDA); ATen element-wise ops elsewhere.
at::Tensor threshRelu(const at::Tensor& x, const at::Tensor& threshold, const at::Tensor& direction);

}  // namespace lrp
