// Patterns of ONNX nodes that a trace of the same PyTorch module records as one op, found before
// the import (import_onnx.cpp) so that the pattern's last node imports it as that op and the
// others are skipped: SiLU, a linear layer with its bias, an average pool with counted padding,
// GELU's erf form, and a layer norm as opsets before 17 write it.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace lrp {

// y = (x − mean(x)) / sqrt(var(x) + eps) · weight + bias over the last `axes` dimensions.
struct LayerNormPattern {
  std::string input;         // x
  int64_t axes = 1;          // how many trailing dimensions are normalized
  double eps = 1e-5;
  std::string weight, bias;  // stored tensors ("" when absent)
};

struct OnnxPatterns {
  std::set<const onnx::NodeProto*> fusedAway;  // imported by their pattern's last node
  std::map<const onnx::NodeProto*, const onnx::NodeProto*> siluOf;     // the Mul → its Sigmoid
  std::map<const onnx::NodeProto*, const onnx::NodeProto*> biasAddOf;  // the MatMul → its Add
  std::map<const onnx::NodeProto*, const onnx::NodeProto*> padOf;      // the AveragePool → its Pad
  std::map<const onnx::NodeProto*, std::string> geluOf;                // the last Mul → GELU's x
  std::map<const onnx::NodeProto*, LayerNormPattern> layerNormOf;      // the last node → its parts
};

// `ranks`: the ranks of values the model's types give (a ReduceMean's positive axes need them);
// `folder`: where the model's external data lies (constants the patterns compare with).
OnnxPatterns findOnnxPatterns(const onnx::GraphProto& graph, const std::unordered_map<std::string, int64_t>& ranks,
                              const std::filesystem::path& folder);

}  // namespace lrp
