// Tensors across the boundary: JS {data: Float32Array | Float64Array, shape: number[]} <-> at::Tensor.
#pragma once

#include <napi.h>

#include <ATen/ATen.h>

namespace lrp::binding {

// Copies the JS tensor's data into a new CPU tensor (the copy lets the worker thread own it).
at::Tensor tensorFromJs(const Napi::Value& value, const std::string& label);
// A float32 JS tensor whose ArrayBuffer owns the (CPU, contiguous) tensor's memory: no copy.
Napi::Object tensorToJs(Napi::Env env, const at::Tensor& tensor);
Napi::Array shapeToJs(Napi::Env env, at::IntArrayRef sizes);

}  // namespace lrp::binding
