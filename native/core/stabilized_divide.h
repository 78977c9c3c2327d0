// The division every LRP rule makes, g = R / stab(z) with stab(z) = z + ε·sign(z), sign(0) = +1
// (zennit's stabilizer), in one pass over the tensors on the CPU instead of five.
#pragma once

#include <ATen/ATen.h>

namespace lrp {

at::Tensor stabilizedDivide(const at::Tensor& relevance, const at::Tensor& z, double epsilon);

}  // namespace lrp
