// Gradients of nodes other than convolutions and dense layers, which several rules build on.
#pragma once

#include <vector>

#include <ATen/ATen.h>

#include "rule_family.h"

namespace lrp {

// (∂y/∂x_k)ᵀ g for every input k of the node, recomputed with autograd; undefined for inputs the
// output does not depend on.
std::vector<at::Tensor> nodeVjp(const NodeContext& node, const at::Tensor& g);

// Max pooling's gradient without autograd's graph: the argmax positions (found once per call and
// node) receive g.
at::Tensor maxPoolVjp(const NodeContext& node, const at::Tensor& g);

// Where a ReLU or ThreshReLU passes its input (gradient 1), as 0/1 of the input's dtype.
at::Tensor reluActive(const NodeContext& node);

bool isRelu(const Node& node);

}  // namespace lrp
