// Canonization: a graph without batch norms that computes the same function (Pahde et al. 2023).
// Each batch norm, in execution order, gets the first fold of batch_norm_fold.h that applies, in
// the order the options choose; one that no fold can take stays and is reported with the reason.
#pragma once

#include <string>

#include "ir.h"

namespace lrp {

enum class FoldOrder {
  LeftFirst,  // into the producing conv/linear when it feeds nothing else, then right, then via ThreshReLU
  ReluFirst,  // BN → ReLU → linear first (the paper's DenseNet canonizer), then left, then right
};

FoldOrder parseFoldOrder(const std::string& name);
const char* foldOrderName(FoldOrder order);

// Returns the canonized copy; `graph` is not modified (parameters are replaced, never written).
Graph canonize(const Graph& graph, FoldOrder order);

}  // namespace lrp
