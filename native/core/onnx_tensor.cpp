#include "onnx_tensor.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "errors.h"

namespace lrp {

namespace {

// The bytes of a tensor stored outside the model (external data): `location` relative to the
// model's folder, with optional offset and length.
std::string readExternalData(const onnx::TensorProto& t, const std::filesystem::path& folder) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& entry : t.external_data()) {
    if (entry.key() == "location") location = entry.value();
    else if (entry.key() == "offset") offset = std::stoll(entry.value());
    else if (entry.key() == "length") length = std::stoll(entry.value());
  }
  const std::filesystem::path file = folder / location;
  std::ifstream in(file, std::ios::binary);
  if (location.empty() || !in) {
    throw Error(ErrorCode::FileNotFound, "external data file '" + location + "' of tensor '" + t.name() +
                                             "' not found in the model's folder " + folder.string());
  }
  if (length < 0) {
    in.seekg(0, std::ios::end);
    length = static_cast<int64_t>(in.tellg()) - offset;
  }
  std::string bytes(static_cast<size_t>(std::max<int64_t>(length, 0)), '\0');
  in.seekg(offset);
  in.read(bytes.data(), length);
  if (in.gcount() != length) {
    throw Error(ErrorCode::LoadFailed, "external data file " + file.string() + " is shorter than tensor '" +
                                           t.name() + "' needs (offset " + std::to_string(offset) +
                                           ", length " + std::to_string(length) + ")");
  }
  return bytes;
}

}  // namespace

at::ScalarType scalarTypeOf(int32_t type, const std::string& what) {
  switch (type) {
    case onnx::TensorProto::FLOAT: return at::kFloat;
    case onnx::TensorProto::DOUBLE: return at::kDouble;
    case onnx::TensorProto::FLOAT16: return at::kHalf;
    case onnx::TensorProto::INT64: return at::kLong;
    case onnx::TensorProto::INT32: return at::kInt;
    case onnx::TensorProto::INT16: return at::kShort;
    case onnx::TensorProto::INT8: return at::kChar;
    case onnx::TensorProto::UINT8: return at::kByte;
    case onnx::TensorProto::BOOL: return at::kBool;
    default:
      throw Error(ErrorCode::UnsupportedOp, what + " has ONNX element type " + std::to_string(type) +
                                                " (supported: float, double, float16, int64/32/16/8, uint8, bool)");
  }
}

// A TensorProto as an ATen tensor (a copy): raw bytes, typed fields or external data.
at::Tensor tensorFromProto(const onnx::TensorProto& t, const std::filesystem::path& folder) {
  const std::string what = "tensor '" + t.name() + "'";
  const at::ScalarType type = scalarTypeOf(t.data_type(), what);
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  at::Tensor out = at::empty(dims, at::TensorOptions().dtype(type));
  const size_t bytes = static_cast<size_t>(out.numel()) * out.element_size();
  auto fromBytes = [&](const std::string& raw) {
    if (raw.size() != bytes) {
      throw Error(ErrorCode::LoadFailed, what + " holds " + std::to_string(raw.size()) + " bytes for " +
                                             std::to_string(bytes) + " expected from its shape");
    }
    if (bytes) std::memcpy(out.data_ptr(), raw.data(), bytes);
    return out;
  };
  if (t.data_location() == onnx::TensorProto::EXTERNAL) return fromBytes(readExternalData(t, folder));
  if (t.has_raw_data()) return fromBytes(t.raw_data());
  auto typed = [&](auto& field, at::ScalarType fieldType) {
    if (static_cast<int64_t>(field.size()) != out.numel()) {
      throw Error(ErrorCode::LoadFailed, what + " holds " + std::to_string(field.size()) + " values for " +
                                             std::to_string(out.numel()) + " expected from its shape");
    }
    at::Tensor values = at::empty({out.numel()}, at::TensorOptions().dtype(fieldType));
    if (out.numel()) std::memcpy(values.data_ptr(), field.data(), out.numel() * values.element_size());
    // FLOAT16 values arrive as their bit patterns in int32_data.
    if (type == at::kHalf) return values.to(at::kShort).view(at::kHalf).reshape(dims);
    return values.to(type).reshape(dims);
  };
  switch (type) {
    case at::kFloat: return typed(t.float_data(), at::kFloat);
    case at::kDouble: return typed(t.double_data(), at::kDouble);
    case at::kLong: return typed(t.int64_data(), at::kLong);
    default: return typed(t.int32_data(), at::kInt);
  }
}

double decimalOf(float value) {
  char text[32];
  for (int digits = 1; digits <= 9; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
    const double decimal = std::strtod(text, nullptr);
    if (static_cast<float>(decimal) == value) return decimal;
  }
  return value;
}

}  // namespace lrp
