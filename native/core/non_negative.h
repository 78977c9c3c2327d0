// Values that are ≥ 0 by the graph's construction: a ReLU's or a sigmoid's output, and what
// poolings, sums, concatenations and shape operations make of such values only. The sign-split
// rules skip the x⁻ terms of a layer whose input is one without looking at its elements.
#pragma once

#include <vector>

#include "ir.h"

namespace lrp {

// One flag per node of the graph (its nodes are in topological order).
std::vector<bool> nonNegativeByConstruction(const Graph& graph);

}  // namespace lrp
