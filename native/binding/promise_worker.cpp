#include "promise_worker.h"

#include <atomic>

#include <ATen/Parallel.h>

#include <c10/util/Exception.h>

#include "../core/errors.h"
#include "addon.h"
#include "compute_thread.h"
#include "settler.h"

namespace lrp::binding {

Napi::Error makeError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

void describeCurrentException(std::string& code, std::string& message) {
  try {
    throw;
  } catch (const Error& e) {
    code = errorCodeName(e.code());
    message = e.what();
  } catch (const c10::Error& e) {
    code = errorCodeName(ErrorCode::Internal);
    message = "libtorch: " + firstLine(e.what_without_backtrace());
  } catch (const std::exception& e) {
    code = errorCodeName(ErrorCode::Internal);
    message = e.what();
  } catch (...) {
    code = errorCodeName(ErrorCode::Internal);
    message = "unknown native error";
  }
}

std::atomic<int>& requestedThreads() {
  static std::atomic<int> threads{0};
  return threads;
}

Napi::Promise PromiseWorker::start(Napi::Env env, const char*, Compute compute, Resolve resolve) {
  auto settler = env.GetInstanceData<Addon>()->settler;
  auto* call = new PendingCall{settler, Napi::Promise::Deferred::New(env), nullptr};
  Napi::Promise promise = call->deferred.Promise();
  settler->begin(env);
  postToComputeThread([call, compute = std::move(compute), resolve = std::move(resolve)]() {
    std::string code, message;
    bool failed = false;
    try {
      // libtorch's thread count is per calling thread (OpenMP): applied on the compute thread.
      int threads = requestedThreads().load();
      if (threads > 0 && at::get_num_threads() != threads) at::set_num_threads(threads);
      compute();
    } catch (...) {
      describeCurrentException(code, message);
      failed = true;
    }
    call->settle = [failed, code, message, resolve](Napi::Env env, Napi::Promise::Deferred& deferred) {
      if (failed) {
        deferred.Reject(makeError(env, code, message).Value());
        return;
      }
      try {
        deferred.Resolve(resolve(env));
      } catch (const Napi::Error& e) {
        deferred.Reject(e.Value());
      } catch (...) {
        std::string c, m;
        describeCurrentException(c, m);
        deferred.Reject(makeError(env, c, m).Value());
      }
    };
    call->settler->deliver(call);
  });
  return promise;
}

Napi::Value guarded(Napi::Env env, const std::function<Napi::Value()>& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    std::string code, message;
    describeCurrentException(code, message);
    throw makeError(env, code, message);
  }
}

}  // namespace lrp::binding
