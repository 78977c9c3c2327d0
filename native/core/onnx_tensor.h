// ONNX tensors (initializers, Constant values) as ATen tensors: stored in the model, as raw bytes
// or typed fields, or outside it (external data: a file in the model's folder, at an offset).
#pragma once

#include <ATen/ATen.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <string>

namespace lrp {

// The ATen type of an ONNX element type; Error(UnsupportedOp) naming `what` for others.
at::ScalarType scalarTypeOf(int32_t type, const std::string& what);

// A TensorProto as an ATen tensor (a copy). External data is read from `folder`: a missing file
// is Error(FileNotFound) naming it, the tensor and the folder; a short one Error(LoadFailed).
at::Tensor tensorFromProto(const onnx::TensorProto& t, const std::filesystem::path& folder);

// The number a float32 value (an attribute, a stored constant) was written from: its shortest
// decimal, as a double (1e-6 for the float nearest to it), so an epsilon exported from PyTorch
// equals the trace's.
double decimalOf(float value);

}  // namespace lrp
