// The JS handle of a compiled model (a core Plan). Methods that run the model return Promises.
#pragma once

#include <napi.h>

#include <memory>

#include <optional>

#include "../core/canonize.h"
#include "../core/plan.h"

namespace lrp::binding {

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  // Wraps `plan` in a new JS object (the constructor is per-environment instance data).
  static Napi::Object wrap(Napi::Env env, std::shared_ptr<const Plan> plan);

  explicit ModelWrap(const Napi::CallbackInfo& info);
  ~ModelWrap() override;

 private:
  Napi::Value describe(const Napi::CallbackInfo& info);
  Napi::Value forward(const Napi::CallbackInfo& info);
  Napi::Value traceShapes(const Napi::CallbackInfo& info);
  Napi::Value canonize(const Napi::CallbackInfo& info);
  Napi::Value explain(const Napi::CallbackInfo& info);
  Napi::Value dispose(const Napi::CallbackInfo& info);

  // The plan, or LRP_DISPOSED after dispose().
  std::shared_ptr<const Plan> plan() const;

  std::shared_ptr<const Plan> plan_;
  // What this handle told the garbage collector it holds outside the JS heap.
  int64_t externalBytes_ = 0;
};

std::vector<at::Tensor> inputsFromJs(const Napi::Value& value);
// The fold order named by a JS value: a string, or undefined/null for none.
std::optional<FoldOrder> foldOrderFromJs(const Napi::Value& value);

}  // namespace lrp::binding
