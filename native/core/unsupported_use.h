// An operator of a model that the importer does not know, as `inspect` lists them
// (unsupportedOperators in import_model.h): for TorchScript the module whose forward calls it,
// for ONNX also the node and the model's opset.
#pragma once

#include <cstdint>
#include <string>

namespace lrp {

struct UnsupportedUse {
  std::string op;      // aten::tanh, or the ONNX op type (Tanh; domain::Op outside the default domain)
  std::string module;  // the module path ("" for the top-level forward, or an ONNX node without a scope)
  std::string node;    // ONNX: the node's name ("" for TorchScript)
  int64_t opset = 0;   // ONNX: the model's opset of the default domain (0 for TorchScript)
};

}  // namespace lrp
