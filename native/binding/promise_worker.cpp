#include "promise_worker.h"

#include <atomic>

#include <ATen/Parallel.h>

#include <c10/util/Exception.h>

#include "../core/errors.h"
#include "compute_thread.h"

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

PromiseWorker::PromiseWorker(Napi::Env env, const char* name, Compute compute, Resolve resolve)
    : Napi::AsyncWorker(env, name),
      deferred_(Napi::Promise::Deferred::New(env)),
      compute_(std::move(compute)),
      resolve_(std::move(resolve)) {}

Napi::Promise PromiseWorker::start(Napi::Env env, const char* name, Compute compute, Resolve resolve) {
  auto* worker = new PromiseWorker(env, name, std::move(compute), std::move(resolve));
  Napi::Promise promise = worker->deferred_.Promise();
  worker->Queue();
  return promise;
}

std::atomic<int>& requestedThreads() {
  static std::atomic<int> threads{0};
  return threads;
}

void PromiseWorker::Execute() {
  try {
    // libtorch's thread count is per calling thread (OpenMP): applied on the compute thread.
    runOnComputeThread([this] {
      int threads = requestedThreads().load();
      if (threads > 0 && at::get_num_threads() != threads) at::set_num_threads(threads);
      compute_();
    });
  } catch (...) {
    describeCurrentException(code_, message_);
    SetError(message_);
  }
}

void PromiseWorker::OnOK() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  try {
    deferred_.Resolve(resolve_(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  } catch (...) {
    describeCurrentException(code_, message_);
    deferred_.Reject(makeError(env, code_, message_).Value());
  }
}

void PromiseWorker::OnError(const Napi::Error&) {
  Napi::HandleScope scope(Env());
  deferred_.Reject(makeError(Env(), code_, message_).Value());
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
