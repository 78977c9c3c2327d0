// Runs a core call on the libuv thread pool and settles a Promise with its result; a core error
// rejects with an Error whose `code` is the core's stable code.
#pragma once

#include <napi.h>

#include <atomic>
#include <functional>
#include <string>

namespace lrp::binding {

// The intra-op thread count set with threads(n), applied on every worker thread (0: libtorch's default).
std::atomic<int>& requestedThreads();

class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Compute = std::function<void()>;
  using Resolve = std::function<Napi::Value(Napi::Env)>;

  static Napi::Promise start(Napi::Env env, const char* name, Compute compute, Resolve resolve);

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  PromiseWorker(Napi::Env env, const char* name, Compute compute, Resolve resolve);

  Napi::Promise::Deferred deferred_;
  Compute compute_;
  Resolve resolve_;
  std::string code_;
  std::string message_;
};

// Calls `body`, converting core exceptions into a JS Error with a `code`, thrown synchronously.
Napi::Value guarded(Napi::Env env, const std::function<Napi::Value()>& body);
Napi::Error makeError(Napi::Env env, const std::string& code, const std::string& message);
// Converts the exception in flight into (code, message).
void describeCurrentException(std::string& code, std::string& message);

}  // namespace lrp::binding
