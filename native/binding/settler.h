// Settles the Promises of one JavaScript environment (the main thread or a worker thread) from
// the compute thread, through one thread-safe function. When the environment shuts down
// (worker.terminate(), process.exit() in a worker) results still in flight are dropped quietly:
// a call that finishes after that point touches nothing of the environment.
#pragma once

#include <napi.h>

#include <functional>
#include <memory>
#include <mutex>

namespace lrp::binding {

class Settler;

// One call in flight: its Promise, and how to settle it on the JavaScript thread.
struct PendingCall {
  std::shared_ptr<Settler> settler;
  Napi::Promise::Deferred deferred;
  std::function<void(Napi::Env, Napi::Promise::Deferred&)> settle;
};

class Settler {
 public:
  // Creates the settler of `env` and registers its shutdown with the environment's cleanup.
  static std::shared_ptr<Settler> create(Napi::Env env);

  // JavaScript thread: a call starts (keeps the event loop alive until it is settled).
  void begin(Napi::Env env);
  // Any thread: hands a finished call to the JavaScript thread; dropped if the environment is gone.
  void deliver(PendingCall* call);

 private:
  static void settleOnJsThread(Napi::Env env, Napi::Function, Settler* self, PendingCall* call);
  using Function = Napi::TypedThreadSafeFunction<Settler, PendingCall, &Settler::settleOnJsThread>;
  void shutDown();

  std::mutex mutex_;
  bool closed_ = false;
  int pending_ = 0;  // JavaScript thread only
  Function function_;
};

}  // namespace lrp::binding
