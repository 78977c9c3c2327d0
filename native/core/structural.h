// Structural canonization, always applied at import: the parts of canonization that need no
// parameter changes. Sums (residual additions, reductions) and average poolings are already
// explicit nodes of the IR; this marks the gate product of a squeeze-excitation block, so LRP can
// send all relevance to its signal input (signal-takes-it-all).
#pragma once

#include "ir.h"

namespace lrp {

// Sets attr "gate" (the input index of the gate) on every two-input mul where exactly one input
// is a sigmoid's output (possibly reshaped or expanded).
void markGateProducts(Graph& graph);

}  // namespace lrp
