#include "model_wrap.h"

#include <cstdlib>

#include "../core/errors.h"
#include "../core/profile.h"
#include "addon.h"
#include "explain_args.h"
#include "graph_describe.h"
#include "promise_worker.h"
#include "tensor_convert.h"

namespace lrp::binding {

Napi::Function ModelWrap::define(Napi::Env env) {
  return DefineClass(env, "NativeModel",
                     {InstanceMethod<&ModelWrap::describe>("describe"),
                      InstanceMethod<&ModelWrap::forward>("forward"),
                      InstanceMethod<&ModelWrap::traceShapes>("traceShapes"),
                      InstanceMethod<&ModelWrap::canonize>("canonize"),
                      InstanceMethod<&ModelWrap::explain>("explain"),
                      InstanceMethod<&ModelWrap::dispose>("dispose")});
}

Napi::Object ModelWrap::wrap(Napi::Env env, std::shared_ptr<const Plan> plan) {
  auto* holder = new std::shared_ptr<const Plan>(std::move(plan));
  auto external = Napi::External<std::shared_ptr<const Plan>>::New(
      env, holder, [](Napi::Env, std::shared_ptr<const Plan>* p) { delete p; });
  return env.GetInstanceData<Addon>()->modelConstructor.New({external});
}

ModelWrap::ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw makeError(info.Env(), "LRP_BAD_ARGUMENT", "NativeModel is created by loadModel(), not with new");
  }
  plan_ = *info[0].As<Napi::External<std::shared_ptr<const Plan>>>().Data();
  // The GC sees a model as a small object; tell it how large it is, so dropped models are
  // collected before memory runs out.
  externalBytes_ = static_cast<int64_t>(plan_->parameterBytes());
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), externalBytes_);
}

ModelWrap::~ModelWrap() {
  if (externalBytes_ > 0) Napi::MemoryManagement::AdjustExternalMemory(Env(), -externalBytes_);
}

std::shared_ptr<const Plan> ModelWrap::plan() const {
  if (!plan_) throw Error(ErrorCode::Disposed, "this model was disposed");
  return plan_;
}

// dispose(): drops the plan (calls in flight keep their own reference until they finish).
Napi::Value ModelWrap::dispose(const Napi::CallbackInfo& info) {
  plan_.reset();
  if (externalBytes_ > 0) Napi::MemoryManagement::AdjustExternalMemory(info.Env(), -externalBytes_);
  externalBytes_ = 0;
  return info.Env().Undefined();
}

Napi::Value ModelWrap::describe(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value { return describeGraph(info.Env(), *plan()); });
}

std::vector<at::Tensor> inputsFromJs(const Napi::Value& value) {
  if (!value.IsArray()) throw Error(ErrorCode::BadInput, "inputs must be an array of tensors");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<at::Tensor> inputs;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    inputs.push_back(tensorFromJs(array.Get(i), "input " + std::to_string(i)));
  }
  return inputs;
}

std::optional<FoldOrder> foldOrderFromJs(const Napi::Value& value) {
  if (value.IsUndefined() || value.IsNull()) return std::nullopt;
  if (!value.IsString()) throw Error(ErrorCode::BadArgument, "the canonization order must be a string");
  return parseFoldOrder(value.As<Napi::String>());
}

// canonize(order) -> Promise<NativeModel>: a new model on the same device and dtype.
Napi::Value ModelWrap::canonize(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    auto order = foldOrderFromJs(info[0]).value_or(FoldOrder::LeftFirst);
    auto plan = this->plan();
    auto result = std::make_shared<std::shared_ptr<const Plan>>();
    return PromiseWorker::start(
        info.Env(), "lrp.canonize",
        [plan, order, result]() {
          auto graph = std::make_shared<const Graph>(lrp::canonize(plan->graph(), order));
          *result = std::make_shared<const Plan>(graph, plan->device(), plan->dtype());
        },
        [result](Napi::Env env) -> Napi::Value { return ModelWrap::wrap(env, *result); });
  });
}

// explain(inputs, {targets, configs: [{rules, init, biasMapInZ}]}) -> Promise<{output, relevances: []}>:
// one forward, one propagation per config.
Napi::Value ModelWrap::explain(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    auto plan = this->plan();
    auto inputs = std::make_shared<std::vector<at::Tensor>>(inputsFromJs(info[0]));
    auto args = std::make_shared<ExplainArgs>(explainArgsFromJs(info[1], plan->graph()));
    auto results = std::make_shared<std::vector<Explanation>>();
    // Non-finite values per relevance (and in the output, last), counted on the compute thread so
    // the JavaScript thread scans a result only to describe one that is bad.
    auto nonFinite = std::make_shared<std::vector<int64_t>>();
    // LRP_NODE_PROFILE=<file>: where the call's time goes, written there (docs/benchmarks.md).
    const char* profilePath = std::getenv("LRP_NODE_PROFILE");
    return PromiseWorker::start(
        info.Env(), "lrp.explain",
        [plan, inputs, args, results, nonFinite, profile = std::string(profilePath ? profilePath : "")]() {
          {
            lrp::ProfileSession session(profile);
            *results = lrp::attributeAll(*plan, *inputs, args->targets, args->configs);
          }
          auto count = [](const at::Tensor& t) { return t.numel() - at::isfinite(t).sum().item<int64_t>(); };
          for (const auto& r : *results) nonFinite->push_back(count(r.relevance));
          if (!results->empty()) nonFinite->push_back(count(results->front().output));
        },
        [results, nonFinite](Napi::Env env) -> Napi::Value {
          Napi::Object out = Napi::Object::New(env);
          Napi::Array relevances = Napi::Array::New(env, results->size());
          Napi::Array counts = Napi::Array::New(env, results->size());
          for (size_t i = 0; i < results->size(); ++i) {
            relevances.Set(i, tensorToJs(env, (*results)[i].relevance));
            counts.Set(i, Napi::Number::New(env, static_cast<double>((*nonFinite)[i])));
          }
          out.Set("relevances", relevances);
          out.Set("nonFinite", counts);
          if (!results->empty()) {
            out.Set("output", tensorToJs(env, results->front().output));
            out.Set("outputNonFinite", Napi::Number::New(env, static_cast<double>(nonFinite->back())));
          }
          return out;
        });
  });
}

Napi::Value ModelWrap::forward(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    auto inputs = std::make_shared<std::vector<at::Tensor>>(inputsFromJs(info[0]));
    auto output = std::make_shared<at::Tensor>();
    auto plan = this->plan();
    return PromiseWorker::start(
        info.Env(), "lrp.forward", [plan, inputs, output]() { *output = plan->forward(*inputs); },
        [output](Napi::Env env) -> Napi::Value { return tensorToJs(env, *output); });
  });
}

Napi::Value ModelWrap::traceShapes(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    auto inputs = std::make_shared<std::vector<at::Tensor>>(inputsFromJs(info[0]));
    auto shapes = std::make_shared<std::vector<std::vector<int64_t>>>();
    auto plan = this->plan();
    return PromiseWorker::start(
        info.Env(), "lrp.traceShapes",
        [plan, inputs, shapes]() {
          Tape tape = plan->forwardWithTape(*inputs);
          for (const auto& value : tape.values) shapes->push_back(value.sizes().vec());
        },
        [plan, shapes](Napi::Env env) -> Napi::Value {
          Napi::Object out = Napi::Object::New(env);
          for (size_t id = 0; id < shapes->size(); ++id) {
            out.Set(plan->graph().node(static_cast<int>(id)).name, shapeToJs(env, (*shapes)[id]));
          }
          return out;
        });
  });
}

}  // namespace lrp::binding
