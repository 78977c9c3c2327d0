#include "explain_args.h"

#include "../core/errors.h"
#include "../core/rules/rule_family.h"

namespace lrp::binding {

namespace {

double number(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Error(ErrorCode::BadArgument, std::string("rule parameter '") + key + "' must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

std::vector<double> numbers(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return {};
  if (v.IsNumber()) return {v.As<Napi::Number>().DoubleValue()};
  if (!v.IsArray()) throw Error(ErrorCode::BadArgument, std::string("'") + key + "' must be a number or a list of numbers");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<double> out;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    if (!a.Get(i).IsNumber()) throw Error(ErrorCode::BadArgument, std::string("'") + key + "' must hold numbers");
    out.push_back(a.Get(i).As<Napi::Number>().DoubleValue());
  }
  return out;
}

Rule ruleFromJs(const Napi::Object& o) {
  Rule r;
  if (!o.Get("rule").IsString()) throw Error(ErrorCode::BadArgument, "each rule entry needs a 'rule' name");
  r.name = findRule(o.Get("rule").As<Napi::String>()).name;
  const RuleParameters& parameters = ruleParameters();
  for (const auto& [name, member] : parameters.numbers) r.*member = number(o, name, r.*member);
  for (const auto& [name, member] : parameters.lists) r.*member = numbers(o, name);
  for (const auto& [name, member] : parameters.names) {
    Napi::Value list = o.Get(name);
    if (list.IsUndefined()) continue;
    if (!list.IsArray()) throw Error(ErrorCode::BadArgument, std::string("'") + name + "' must be a list of names");
    Napi::Array a = list.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) (r.*member).push_back(a.Get(i).ToString());
  }
  return r;
}

RuleSet ruleSetFromJs(const Napi::Object& o, const std::map<std::string, int>& ids) {
  RuleSet set;
  if (o.Get("rules").IsArray()) {
    Napi::Array rules = o.Get("rules").As<Napi::Array>();
    for (uint32_t i = 0; i < rules.Length(); ++i) {
      if (!rules.Get(i).IsObject()) throw Error(ErrorCode::BadArgument, "rules must be objects");
      Napi::Object entry = rules.Get(i).As<Napi::Object>();
      std::string layer = entry.Get("layer").ToString();
      auto found = ids.find(layer);
      if (found == ids.end()) throw Error(ErrorCode::BadArgument, "no layer named '" + layer + "' in the model");
      set.rules[found->second] = ruleFromJs(entry);
    }
  }
  Napi::Value init = o.Get("init");
  if (init.IsString()) {
    std::string name = init.As<Napi::String>();
    if (name == "logit") set.init = InitialRelevance::Logit;
    else if (name != "onehot") throw Error(ErrorCode::BadArgument, "init must be 'onehot' or 'logit', got '" + name + "'");
  }
  if (o.Get("biasMapInZ").IsBoolean()) set.options.biasMapInZ = o.Get("biasMapInZ").As<Napi::Boolean>();
  if (o.Get("gateTakesAll").IsBoolean()) set.options.gateTakesAll = o.Get("gateTakesAll").As<Napi::Boolean>();
  return set;
}

std::vector<int64_t> integers(const Napi::Object& o, const char* key, std::vector<int64_t> fallback) {
  std::vector<int64_t> out;
  for (double v : numbers(o, key)) {
    if (v != static_cast<double>(static_cast<int64_t>(v))) {
      throw Error(ErrorCode::BadArgument, std::string("'") + key + "' must hold integers");
    }
    out.push_back(static_cast<int64_t>(v));
  }
  return out.empty() ? fallback : out;
}

MethodConfig methodConfigFromJs(const Napi::Object& o, const std::map<std::string, int>& ids) {
  MethodConfig config;
  config.ruleSet = ruleSetFromJs(o, ids);
  if (o.Get("method").IsString()) config.method = parseMethod(o.Get("method").As<Napi::String>());
  MethodParams& p = config.params;
  p.samples = static_cast<int64_t>(number(o, "samples", static_cast<double>(p.samples)));
  p.noiseLevel = number(o, "noiseLevel", p.noiseLevel);
  p.window = integers(o, "window", p.window);
  p.stride = integers(o, "stride", p.stride);
  p.seed = static_cast<uint64_t>(number(o, "seed", 0));
  p.maxBatch = static_cast<int64_t>(number(o, "maxBatch", static_cast<double>(p.maxBatch)));
  return config;
}

}  // namespace

ExplainArgs explainArgsFromJs(const Napi::Value& value, const Graph& graph) {
  if (!value.IsObject()) throw Error(ErrorCode::BadArgument, "explain options must be an object");
  Napi::Object o = value.As<Napi::Object>();
  ExplainArgs args;
  if (!o.Get("targets").IsArray()) throw Error(ErrorCode::BadArgument, "explain needs targets (one class per sample)");
  Napi::Array targets = o.Get("targets").As<Napi::Array>();
  for (uint32_t i = 0; i < targets.Length(); ++i) {
    Napi::Value t = targets.Get(i);
    if (!t.IsNumber()) throw Error(ErrorCode::BadArgument, "targets must be integers");
    args.targets.push_back(t.As<Napi::Number>().Int64Value());
  }
  std::map<std::string, int> ids;
  for (int id = 0; id < graph.size(); ++id) ids[graph.node(id).name] = id;
  if (!o.Get("configs").IsArray()) throw Error(ErrorCode::BadArgument, "explain needs a list of configs");
  Napi::Array configs = o.Get("configs").As<Napi::Array>();
  for (uint32_t c = 0; c < configs.Length(); ++c) {
    if (!configs.Get(c).IsObject()) throw Error(ErrorCode::BadArgument, "each config must be an object");
    args.configs.push_back(methodConfigFromJs(configs.Get(c).As<Napi::Object>(), ids));
  }
  return args;
}

}  // namespace lrp::binding
