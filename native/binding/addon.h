// The addon's per-environment instance (context-aware: one per main thread or worker thread).
#pragma once

#include <napi.h>

namespace lrp::binding {

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports);

  Napi::FunctionReference modelConstructor;

 private:
  Napi::Value versions(const Napi::CallbackInfo& info);
  Napi::Value backends(const Napi::CallbackInfo& info);
  Napi::Value loadModel(const Napi::CallbackInfo& info);
  Napi::Value threads(const Napi::CallbackInfo& info);
};

}  // namespace lrp::binding
