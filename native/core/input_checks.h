// Validation of model inputs before a forward, so a wrong rank, channel count or a NaN is one
// clear error naming the input and the layer that needs it, not a libtorch stack trace.
#pragma once

#include <vector>

#include <ATen/ATen.h>

#include "ir.h"

namespace lrp {

struct InputExpectation {
  int64_t rank = -1;         // -1: any
  int64_t featureDim = -1;   // the dimension whose size is fixed (1 for conv/BN, kLastDim for linear)
  int64_t features = -1;     // its size
  std::string layer;         // the node that fixes it
  std::string layerOp;
  std::vector<int64_t> declaredShape;  // the sizes an ONNX model declares for it (-1: dynamic); empty: none
};

// What the first layer reading input `index` (through element-wise ops) requires of it.
InputExpectation expectationFor(const Graph& graph, int inputNode);

// `expected[k]` is expectationFor(graph, graph.inputs()[k]), computed once per Plan.
void checkInputs(const Graph& graph, const std::vector<InputExpectation>& expected,
                 const std::vector<at::Tensor>& inputs);

}  // namespace lrp
