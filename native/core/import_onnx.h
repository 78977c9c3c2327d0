// Import of an ONNX model (torch.onnx.export, or another producer) into the graph IR.
#pragma once

#include <string>
#include <vector>

#include "ir.h"
#include "unsupported_use.h"

namespace lrp {

// The ONNX opsets this importer reads (the default domain).
constexpr int64_t kOnnxMinOpset = 13;
constexpr int64_t kOnnxMaxOpset = 17;

// Loads `path` (an ONNX ModelProto, parsed by the ONNX library) and returns its IR. Each ONNX
// node becomes the call of a TorchScript op that a trace of the same PyTorch module records, and
// the operator table imports that call (ops/op_table.h), so both formats give the same nodes.
// Names are the module paths torch.onnx.export writes into node names ("/features/features.0/Conv"
// → "features.0"; a functional op in a parent's forward → "layer1.0.add"); other producers' nodes
// keep their own names. Shape → Gather → Concat subgraphs become size expressions (size_expr.h).
// Weights stored outside the model (external data) are read from the model's folder. Throws
// Error(UnsupportedOp) naming the op, the node and the opset for anything it does not know, and
// Error(LoadFailed) when the file is not a ModelProto with a graph of nodes.
Graph importOnnx(const std::string& path);

// The ONNX op types the importer reads (the default domain), sorted.
std::vector<std::string> onnxOpTypes();

// Every node of the model at `path` whose operator the importer has no translation for (and no
// pattern takes in: an Erf of GELU's form is known), in the graph's order, with its node name, its
// module path (from the node's scope) and the opset: the graph read without importing it
// (importOnnx stops at the first). An opset outside the supported ones fails as importOnnx does.
std::vector<UnsupportedUse> unsupportedOnnxOperators(const std::string& path);

}  // namespace lrp
