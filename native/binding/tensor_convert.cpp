#include "tensor_convert.h"

#include <cstring>

#include "../core/errors.h"

namespace lrp::binding {

at::Tensor tensorFromJs(const Napi::Value& value, const std::string& label) {
  if (!value.IsObject()) throw Error(ErrorCode::BadInput, label + " must be a tensor {data, shape}");
  Napi::Object object = value.As<Napi::Object>();
  Napi::Value data = object.Get("data");
  Napi::Value shapeValue = object.Get("shape");
  if (!data.IsTypedArray() || !shapeValue.IsArray()) {
    throw Error(ErrorCode::BadInput, label + " must have a Float32Array or Float64Array `data` and a `shape` array");
  }
  Napi::Array shapeArray = shapeValue.As<Napi::Array>();
  std::vector<int64_t> shape;
  int64_t numel = 1;
  for (uint32_t i = 0; i < shapeArray.Length(); ++i) {
    Napi::Value dim = shapeArray.Get(i);
    if (!dim.IsNumber() || dim.As<Napi::Number>().DoubleValue() < 0 ||
        dim.As<Napi::Number>().DoubleValue() != static_cast<double>(dim.As<Napi::Number>().Int64Value())) {
      throw Error(ErrorCode::BadShape, label + " has an invalid shape entry at position " + std::to_string(i));
    }
    shape.push_back(dim.As<Napi::Number>().Int64Value());
    numel *= shape.back();
  }
  Napi::TypedArray typed = data.As<Napi::TypedArray>();
  at::ScalarType type;
  if (typed.TypedArrayType() == napi_float32_array) type = at::kFloat;
  else if (typed.TypedArrayType() == napi_float64_array) type = at::kDouble;
  else throw Error(ErrorCode::BadInput, label + " data must be a Float32Array or Float64Array");
  if (static_cast<int64_t>(typed.ElementLength()) != numel) {
    throw Error(ErrorCode::BadShape, label + " has " + std::to_string(typed.ElementLength()) +
                                         " values but its shape needs " + std::to_string(numel));
  }
  auto* base = static_cast<uint8_t*>(typed.ArrayBuffer().Data()) + typed.ByteOffset();
  // A plain memcpy, not at::Tensor::clone: a libtorch copy this large runs an OpenMP team on the JS
  // thread, and a second team in the process makes libgomp throttle its spinning, so the compute
  // thread's workers sleep and are woken between every operator (small models ran ~2× slower).
  at::Tensor out = at::empty(shape, at::TensorOptions().dtype(type));
  if (numel > 0) std::memcpy(out.data_ptr(), base, typed.ByteLength());
  return out;
}

Napi::Array shapeToJs(Napi::Env env, at::IntArrayRef sizes) {
  Napi::Array shape = Napi::Array::New(env, sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) shape.Set(i, Napi::Number::New(env, static_cast<double>(sizes[i])));
  return shape;
}

Napi::Object tensorToJs(Napi::Env env, const at::Tensor& tensor) {
  auto* owned = new at::Tensor(tensor.to(at::kCPU, at::kFloat).contiguous());
  size_t bytes = owned->numel() * sizeof(float);
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
      env, owned->data_ptr<float>(), bytes, [](Napi::Env, void*, at::Tensor* hint) { delete hint; }, owned);
  Napi::Object out = Napi::Object::New(env);
  out.Set("data", Napi::Float32Array::New(env, owned->numel(), buffer, 0));
  out.Set("shape", shapeToJs(env, owned->sizes()));
  return out;
}

}  // namespace lrp::binding
