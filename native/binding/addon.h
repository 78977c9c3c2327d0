// The addon's per-environment instance (context-aware: one per main thread or worker thread).
#pragma once

#include <napi.h>

#include <memory>

#include "settler.h"

namespace lrp::binding {

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports);

  Napi::FunctionReference modelConstructor;
  std::shared_ptr<Settler> settler;

 private:
  Napi::Value versions(const Napi::CallbackInfo& info);
  Napi::Value backends(const Napi::CallbackInfo& info);
  Napi::Value rules(const Napi::CallbackInfo& info);
  Napi::Value ops(const Napi::CallbackInfo& info);
  Napi::Value loadModel(const Napi::CallbackInfo& info);
  Napi::Value unsupportedOperators(const Napi::CallbackInfo& info);
  Napi::Value threads(const Napi::CallbackInfo& info);
  Napi::Value releaseCachedMemory(const Napi::CallbackInfo& info);
  Napi::Value stopForExit(const Napi::CallbackInfo& info);
};

}  // namespace lrp::binding
