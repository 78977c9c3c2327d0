// The forward computation of one IR node with ATen ops: its operator's forward in the operator
// table (ops/op_table.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "border_bias_conv.h"
#include "ir.h"
#include "ops/op_table.h"

namespace lrp {

// `params` are the node's parameters already on the plan's device and dtype; `borderBias` is the
// node's cache when it is a convolution with a folded border bias (else unused).
at::Tensor forwardNode(const Node& node, const std::map<std::string, at::Tensor>& params,
                       const std::vector<at::Tensor>& inputs, const SizeOf& sizeOf, BorderBiasCache* borderBias);

}  // namespace lrp
