#include "addon.h"

#include <cstdlib>
#include <memory>

#include <ATen/Parallel.h>

#include "../core/build_info.h"
#include "../core/caching_cpu_allocator.h"
#include "../core/rules.h"
#include "../core/rules/rule_family.h"
#include "../core/canonize.h"
#include "../core/errors.h"
#include "../core/import_model.h"
#include "../core/import_onnx.h"
#include "../core/ops/op_table.h"
#include "../core/import_torchscript.h"
#include "../core/plan.h"
#include "compute_thread.h"
#include "model_wrap.h"
#include "promise_worker.h"

namespace lrp::binding {

namespace {

Napi::Array stringArray(Napi::Env env, const std::vector<std::string>& values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(i, values[i]);
  return out;
}

// LRP_NODE_CPU_CACHE_MB: how much freed CPU tensor memory is kept for reuse (0: none). The
// loader (lib/native/binding.ts) rejects a value that is not a whole number before the addon loads.
void installCpuCache(Napi::Env env) {
  const char* setting = std::getenv("LRP_NODE_CPU_CACHE_MB");
  size_t megabytes = kDefaultCpuCacheMegabytes;
  if (setting && *setting) {
    char* end = nullptr;
    long value = std::strtol(setting, &end, 10);
    if (*end != '\0' || value < 0) {
      throw makeError(env, "LRP_BAD_ARGUMENT",
                      "LRP_NODE_CPU_CACHE_MB must be a whole number of megabytes, got '" + std::string(setting) + "'");
    }
    megabytes = static_cast<size_t>(value);
  }
  if (megabytes > 0) installCachingCpuAllocator(megabytes << 20);
}

// The operator table, every category and the ONNX op types, as ops() reports them.
Napi::Value operatorReport(Napi::Env env) {
  const auto table = registeredOps();
  Napi::Array operators = Napi::Array::New(env, table.size());
  for (size_t i = 0; i < table.size(); ++i) {
    const OpInfo& op = *table[i];
    std::vector<std::string> categories{categoryName(op.category)};
    for (Category c : op.otherCategories) categories.push_back(categoryName(c));
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", op.name);
    entry.Set("categories", stringArray(env, categories));
    entry.Set("torchScript", stringArray(env, op.torchScriptKinds));
    entry.Set("relevance", relevanceName(op.relevance));
    operators.Set(i, entry);
  }
  std::vector<std::string> categories;
  for (Category c : allCategories()) categories.push_back(categoryName(c));
  Napi::Object out = Napi::Object::New(env);
  out.Set("operators", operators);
  out.Set("categories", stringArray(env, categories));
  out.Set("onnx", stringArray(env, onnxOpTypes()));
  return out;
}

}  // namespace

Addon::Addon(Napi::Env env, Napi::Object exports) {
  installCpuCache(env);
  settler = Settler::create(env);
  modelConstructor = Napi::Persistent(ModelWrap::define(env));
  DefineAddon(exports, {InstanceMethod<&Addon::versions>("versions"),
                        InstanceMethod<&Addon::backends>("backends"),
                        InstanceMethod<&Addon::loadModel>("loadModel"),
                        InstanceMethod<&Addon::unsupportedOperators>("unsupportedOperators"),
                        InstanceMethod<&Addon::threads>("threads"),
                        InstanceMethod<&Addon::releaseCachedMemory>("releaseCachedMemory"),
                        InstanceMethod<&Addon::rules>("rules"),
                        InstanceMethod<&Addon::ops>("ops"),
                        InstanceMethod<&Addon::stopForExit>("stopForExit")});
}

Napi::Value Addon::versions(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("libtorch", libtorchVersion());
  out.Set("napi", Napi::Number::New(info.Env(), NAPI_VERSION));
  out.Set("cuda", Napi::Boolean::New(info.Env(), builtWithCuda()));
  return out;
}

// rules() -> {parameters: [names], families: [{name, parameters, layers, nodes, on: [{operator, category}]}]}:
// the registered rule families, the operators each applies to, and the parameters the binding reads,
// which TypeScript's schema must match.
Napi::Value Addon::rules(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto strings = [&](const std::vector<std::string>& values) { return stringArray(env, values); };
  std::vector<std::string> parameters;
  const RuleParameters& declared = ruleParameters();
  for (const auto& [name, member] : declared.numbers) parameters.push_back(name);
  for (const auto& [name, member] : declared.lists) parameters.push_back(name);
  for (const auto& [name, member] : declared.names) parameters.push_back(name);
  auto families = registeredRules();
  Napi::Array list = Napi::Array::New(env, families.size());
  for (size_t i = 0; i < families.size(); ++i) {
    Napi::Object family = Napi::Object::New(env);
    family.Set("name", families[i]->name);
    family.Set("parameters", strings(families[i]->parameters));
    family.Set("layers", Napi::Boolean::New(env, families[i]->layer != nullptr));
    family.Set("nodes", Napi::Boolean::New(env, families[i]->node != nullptr));
    auto targets = ruleTargets(*families[i]);
    Napi::Array on = Napi::Array::New(env, targets.size());
    for (size_t k = 0; k < targets.size(); ++k) {
      Napi::Object target = Napi::Object::New(env);
      target.Set("operator", targets[k].first->name);
      target.Set("category", categoryName(targets[k].second));
      on.Set(k, target);
    }
    family.Set("on", on);
    list.Set(i, family);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("parameters", strings(parameters));
  out.Set("families", list);
  return out;
}

// ops() -> {operators: [{name, categories, torchScript, relevance}], categories: [names], onnx: [op types]}:
// the operator table (categories[0] is the operator's usual category, the others what some of its
// nodes get), every layer category, and the ONNX op types the importer reads.
Napi::Value Addon::ops(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value { return operatorReport(info.Env()); });
}

Napi::Value Addon::backends(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    auto names = availableBackends();
    Napi::Array out = Napi::Array::New(info.Env(), names.size());
    for (size_t i = 0; i < names.size(); ++i) out.Set(i, names[i]);
    return out;
  });
}

// threads(n?) -> the number of intra-op threads each native call uses (set first when n is given;
// applied on the worker threads, where the calls run).
Napi::Value Addon::threads(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    if (info.Length() > 0 && !info[0].IsUndefined()) {
      if (!info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1) {
        throw Error(ErrorCode::BadArgument, "threads needs a positive integer");
      }
      requestedThreads() = info[0].As<Napi::Number>().Int32Value();
      at::set_num_threads(requestedThreads());
    }
    return Napi::Number::New(info.Env(), requestedThreads() > 0 ? requestedThreads().load() : at::get_num_threads());
  });
}

// releaseCachedMemory() -> bytes returned to the system from the CPU cache.
Napi::Value Addon::releaseCachedMemory(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(releaseCachedCpuMemory()));
}

// stopForExit(): the process is exiting (lib/native/binding.ts calls it on 'exit' in the main thread): no
// queued call starts, and the call running now finishes first (compute_thread.h).
Napi::Value Addon::stopForExit(const Napi::CallbackInfo& info) {
  stopComputeThread();
  return info.Env().Undefined();
}

// loadModel(path, {device, dtype, canonize: order?}) -> Promise<NativeModel>
Napi::Value Addon::loadModel(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsString()) throw Error(ErrorCode::BadArgument, "loadModel needs a path string");
    std::string path = info[0].As<Napi::String>();
    std::string deviceName = "cpu", dtypeName = "float32";
    std::optional<FoldOrder> order;
    bool trustCode = false;
    if (info.Length() > 1 && info[1].IsObject()) {
      Napi::Object options = info[1].As<Napi::Object>();
      trustCode = options.Get("trustCode").ToBoolean();
      if (options.Get("device").IsString()) deviceName = options.Get("device").As<Napi::String>();
      if (options.Get("dtype").IsString()) dtypeName = options.Get("dtype").As<Napi::String>();
      order = foldOrderFromJs(options.Get("canonize"));
    }
    at::Device device = parseDevice(deviceName);
    at::ScalarType dtype = parseDtype(dtypeName);
    auto plan = std::make_shared<std::shared_ptr<const Plan>>();
    return PromiseWorker::start(
        info.Env(), "lrp.loadModel",
        [path, device, dtype, order, trustCode, plan]() {
          Graph imported = importModel(path, trustCode);
          auto graph = std::make_shared<const Graph>(order ? canonize(imported, *order) : std::move(imported));
          *plan = std::make_shared<const Plan>(graph, device, dtype);
        },
        [plan](Napi::Env env) -> Napi::Value { return ModelWrap::wrap(env, *plan); });
  });
}

// unsupportedOperators(path, {trustCode}) -> Promise<[{operator, module}]>
Napi::Value Addon::unsupportedOperators(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsString()) throw Error(ErrorCode::BadArgument, "unsupportedOperators needs a path string");
    std::string path = info[0].As<Napi::String>();
    const bool trustCode = info.Length() > 1 && info[1].IsObject() && info[1].As<Napi::Object>().Get("trustCode").ToBoolean();
    auto found = std::make_shared<std::vector<UnsupportedUse>>();
    return PromiseWorker::start(
        info.Env(), "lrp.unsupportedOperators", [path, trustCode, found]() { *found = lrp::unsupportedOperators(path, trustCode); },
        [found](Napi::Env env) -> Napi::Value {
          Napi::Array out = Napi::Array::New(env, found->size());
          for (size_t i = 0; i < found->size(); ++i) {
            Napi::Object use = Napi::Object::New(env);
            use.Set("operator", (*found)[i].op);
            use.Set("module", (*found)[i].module);
            if (!(*found)[i].node.empty()) {
              use.Set("node", (*found)[i].node);
              use.Set("opset", Napi::Number::New(env, static_cast<double>((*found)[i].opset)));
            }
            out.Set(i, use);
          }
          return out;
        });
  });
}

}  // namespace lrp::binding

using lrp::binding::Addon;
NODE_API_ADDON(Addon)
