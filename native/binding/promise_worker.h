// Runs a core call on the compute thread and settles a Promise with its result; a core error
// rejects with an Error whose `code` is the core's stable code. No libuv pool thread waits for it.
#pragma once

#include <napi.h>

#include <atomic>
#include <functional>
#include <string>

namespace lrp::binding {

// The intra-op thread count set with threads(n), applied on the compute thread (0: libtorch's default).
std::atomic<int>& requestedThreads();

class PromiseWorker {
 public:
  using Compute = std::function<void()>;
  using Resolve = std::function<Napi::Value(Napi::Env)>;

  // `compute` runs on the compute thread; `resolve` turns its result into a value on the
  // JavaScript thread.
  static Napi::Promise start(Napi::Env env, const char* name, Compute compute, Resolve resolve);
};

// Calls `body`, converting core exceptions into a JS Error with a `code`, thrown synchronously.
Napi::Value guarded(Napi::Env env, const std::function<Napi::Value()>& body);
Napi::Error makeError(Napi::Env env, const std::string& code, const std::string& message);
// Converts the exception in flight into (code, message).
void describeCurrentException(std::string& code, std::string& message);

}  // namespace lrp::binding
