#include "graph_describe.h"

#include "../core/ops/op_table.h"
#include "../core/size_program.h"
#include "tensor_convert.h"

namespace lrp::binding {

namespace {

Napi::Value attrToJs(Napi::Env env, const AttrValue& value, const Graph& graph) {
  if (const auto* v = std::get_if<int64_t>(&value)) return Napi::Number::New(env, static_cast<double>(*v));
  if (const auto* v = std::get_if<double>(&value)) return Napi::Number::New(env, *v);
  if (const auto* v = std::get_if<bool>(&value)) return Napi::Boolean::New(env, *v);
  if (const auto* v = std::get_if<std::vector<int64_t>>(&value)) return shapeToJs(env, *v);
  if (const auto* v = std::get_if<ProgramRef>(&value)) return Napi::String::New(env, describeProgram(**v));
  const auto& sizes = std::get<SizeList>(value);
  Napi::Array out = Napi::Array::New(env, sizes.size());
  auto nameOf = [&](int id) { return graph.node(id).name; };
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i].isConstant()) out.Set(i, Napi::Number::New(env, static_cast<double>(sizes[i].constantValue())));
    else out.Set(i, Napi::String::New(env, sizes[i].toString(nameOf)));
  }
  return out;
}

Napi::Array names(Napi::Env env, const Graph& graph, const std::vector<int>& ids) {
  Napi::Array out = Napi::Array::New(env, ids.size());
  for (size_t i = 0; i < ids.size(); ++i) out.Set(i, graph.node(ids[i]).name);
  return out;
}

}  // namespace

Napi::Object describeGraph(Napi::Env env, const Plan& plan) {
  const Graph& graph = plan.graph();
  Napi::Array layers = Napi::Array::New(env);
  for (const Node& node : graph.nodes()) {
    if (node.op == Op::Input) continue;
    Napi::Object layer = Napi::Object::New(env);
    layer.Set("name", node.name);
    layer.Set("op", opName(node.op));
    layer.Set("category", categoryName(nodeCategory(node)));
    if (!node.module.empty() && node.module != node.name) layer.Set("module", node.module);
    if (node.module.empty()) layer.Set("functional", true);
    layer.Set("inputs", names(env, graph, node.inputs));
    Napi::Object params = Napi::Object::New(env);
    for (const auto& [key, tensor] : node.params) {
      if (tensor.defined()) params.Set(key, shapeToJs(env, tensor.sizes()));
    }
    layer.Set("params", params);
    Napi::Object attrs = Napi::Object::New(env);
    for (const auto& [key, value] : node.attrs.all()) attrs.Set(key, attrToJs(env, value, graph));
    layer.Set("attrs", attrs);
    layers.Set(layers.Length(), layer);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("inputs", names(env, graph, graph.inputs()));
  out.Set("outputs", names(env, graph, graph.outputs()));
  Napi::Array elided = Napi::Array::New(env, graph.elidedNames().size());
  for (size_t i = 0; i < graph.elidedNames().size(); ++i) elided.Set(i, graph.elidedNames()[i]);
  out.Set("elided", elided);
  out.Set("layers", layers);
  if (graph.canonization.applied) {
    Napi::Object report = Napi::Object::New(env);
    report.Set("order", graph.canonization.order);
    Napi::Array folds = Napi::Array::New(env);
    for (const auto& fold : graph.canonization.folds) {
      Napi::Object item = Napi::Object::New(env);
      item.Set("batchNorm", fold.batchNorm);
      if (fold.pass.empty()) {
        item.Set("pass", env.Null());
        item.Set("reason", fold.reason);
      } else {
        item.Set("pass", fold.pass);
      }
      Napi::Array into = Napi::Array::New(env, fold.into.size());
      for (size_t i = 0; i < fold.into.size(); ++i) into.Set(i, fold.into[i]);
      item.Set("into", into);
      folds.Set(folds.Length(), item);
    }
    report.Set("folds", folds);
    Napi::Array notFolded = Napi::Array::New(env);
    for (const auto& other : graph.canonization.notFolded) {
      Napi::Object item = Napi::Object::New(env);
      item.Set("layer", other.layer);
      item.Set("op", other.op);
      item.Set("reason", other.reason);
      notFolded.Set(notFolded.Length(), item);
    }
    report.Set("notFolded", notFolded);
    out.Set("canonization", report);
  }
  out.Set("device", plan.device().str());
  out.Set("dtype", plan.dtype() == at::kDouble ? "float64" : "float32");
  return out;
}

}  // namespace lrp::binding
