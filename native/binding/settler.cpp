#include "settler.h"

namespace lrp::binding {

std::shared_ptr<Settler> Settler::create(Napi::Env env) {
  auto settler = std::make_shared<Settler>();
  settler->function_ = Function::New(env, "lrp-node.settle", 0, 1, settler.get());
  settler->function_.Unref(env);
  // Registered after the thread-safe function, so it runs before that function's own cleanup
  // (cleanup hooks run last-in first-out): from then on nothing is delivered.
  std::weak_ptr<Settler> weak = settler;
  env.AddCleanupHook([weak]() {
    if (auto self = weak.lock()) self->shutDown();
  });
  return settler;
}

void Settler::begin(Napi::Env env) {
  if (pending_++ == 0) function_.Ref(env);
}

void Settler::deliver(PendingCall* call) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_ || function_.NonBlockingCall(call) != napi_ok) delete call;
}

void Settler::shutDown() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return;
  closed_ = true;
  function_.Abort();
}

void Settler::settleOnJsThread(Napi::Env env, Napi::Function, Settler* self, PendingCall* call) {
  std::unique_ptr<PendingCall> owned(call);
  if (static_cast<napi_env>(env) == nullptr) return;  // the environment is being torn down
  if (--self->pending_ == 0) self->function_.Unref(env);
  try {
    Napi::HandleScope scope(env);
    call->settle(env, call->deferred);
  } catch (...) {
    // Settling can only fail while the environment stops running JavaScript; nothing to tell.
  }
}

}  // namespace lrp::binding
