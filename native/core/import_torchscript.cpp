#include "import_torchscript.h"

#include <torch/script.h>

#include <filesystem>
#include <fstream>

#include <caffe2/serialize/inline_container.h>
#include <memory>
#include <set>
#include <unordered_map>

#include "errors.h"
#include "structural.h"

namespace lrp {
namespace {

namespace jit = torch::jit;

// What a TorchScript value stands for while its graph is walked.
struct Ref {
  enum class Kind { None, Tensor, Module, Param, Constant, Size, List };
  Kind kind = Kind::None;
  int node = -1;                           // Tensor: the IR node producing it
  std::shared_ptr<jit::Module> module;     // Module
  std::string path;                        // Module, Param: the module path
  at::Tensor tensor;                       // Param: a parameter or buffer
  c10::IValue constant;                    // Constant
  SizeExpr size;                           // Size: an integer known at run time
  std::vector<Ref> items;                  // List

  static Ref ofTensor(int node) { Ref r; r.kind = Kind::Tensor; r.node = node; return r; }
  static Ref ofSize(SizeExpr s) { Ref r; r.kind = Kind::Size; r.size = std::move(s); return r; }
};

std::string joinPath(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}

std::string where(const std::string& path) { return path.empty() ? "the top-level forward" : "'" + path + "'"; }

// The module whose forward is being walked: its path and whether it is a leaf module.
struct Scope {
  std::string path;
  bool leaf = false;
  int opsNamed = 0;
};

class Importer {
 public:
  Graph run(const jit::Module& root);

 private:
  Ref callModule(const jit::Module& module, const std::string& path, const std::string& method,
                 const std::vector<Ref>& args);
  void importNode(const jit::Node* n, Scope& scope, std::unordered_map<const jit::Value*, Ref>& env);
  bool importSizeArithmetic(const std::string& kind, const std::vector<Ref>& in, Ref& out);
  int importTensorOp(const std::string& kind, const std::vector<Ref>& in, Scope& scope);

  int tensorOf(const Ref& r, const std::string& kind, const Scope& scope);
  int addNode(Op op, const std::string& suffix, Scope& scope, std::vector<int> inputs, Attributes attrs = {},
              std::map<std::string, at::Tensor> params = {});
  std::string uniqueName(const std::string& base);

  Graph graph_;
  std::set<std::string> usedNames_;
  std::map<std::string, int> constantNodes_;
};

[[noreturn]] void unsupported(const std::string& what, const Scope& scope) {
  throw Error(ErrorCode::UnsupportedOp, "unsupported operator " + what + " in " + where(scope.path));
}

bool isNone(const Ref& r) { return r.kind == Ref::Kind::None || (r.kind == Ref::Kind::Constant && r.constant.isNone()); }

int64_t constInt(const Ref& r, const std::string& kind, const Scope& scope) {
  if (r.kind == Ref::Kind::Constant && r.constant.isInt()) return r.constant.toInt();
  if (r.kind == Ref::Kind::Size && r.size.isConstant()) return r.size.constantValue();
  unsupported(kind + " with a non-constant integer argument", scope);
}

double constDouble(const Ref& r, const std::string& kind, const Scope& scope) {
  if (r.kind == Ref::Kind::Constant && (r.constant.isDouble() || r.constant.isInt())) return r.constant.toScalar().toDouble();
  unsupported(kind + " with a non-constant number argument", scope);
}

bool constBool(const Ref& r, const std::string& kind, const Scope& scope) {
  if (r.kind == Ref::Kind::Constant && r.constant.isBool()) return r.constant.toBool();
  if (r.kind == Ref::Kind::Constant && r.constant.isInt()) return r.constant.toInt() != 0;
  unsupported(kind + " with a non-constant boolean argument", scope);
}

std::vector<int64_t> constInts(const Ref& r, const std::string& kind, const Scope& scope) {
  if (r.kind == Ref::Kind::Constant && r.constant.isIntList()) return r.constant.toIntVector();
  if (r.kind == Ref::Kind::Constant && r.constant.isInt()) return {r.constant.toInt()};
  if (r.kind == Ref::Kind::List) {
    std::vector<int64_t> out;
    for (const auto& item : r.items) out.push_back(constInt(item, kind, scope));
    return out;
  }
  unsupported(kind + " with a non-constant integer list", scope);
}

SizeList sizeList(const Ref& r, const std::string& kind, const Scope& scope) {
  SizeList out;
  if (r.kind == Ref::Kind::List) {
    for (const auto& item : r.items) {
      if (item.kind == Ref::Kind::Size) out.push_back(item.size);
      else out.push_back(SizeExpr::constant(constInt(item, kind, scope)));
    }
    return out;
  }
  for (int64_t v : constInts(r, kind, scope)) out.push_back(SizeExpr::constant(v));
  return out;
}

bool isScalarLike(const Ref& r) {
  return r.kind == Ref::Kind::Size ||
         (r.kind == Ref::Kind::Constant && (r.constant.isInt() || r.constant.isDouble()));
}

SizeExpr asSize(const Ref& r) {
  return r.kind == Ref::Kind::Size ? r.size : SizeExpr::constant(r.constant.toInt());
}

std::string stripSuffix(const std::string& kind) {
  std::string base = kind.substr(kind.find("::") + 2);
  if (!base.empty() && base.back() == '_') base.pop_back();  // in-place variants: relu_ -> relu
  return base;
}

const std::set<std::string>& identityOps() {
  static const std::set<std::string> ops = {"aten::dropout", "aten::dropout_", "aten::feature_dropout",
                                            "aten::feature_dropout_", "aten::alpha_dropout",
                                            "aten::alpha_dropout_", "aten::contiguous", "aten::detach",
                                            "aten::clone"};
  return ops;
}

Graph Importer::run(const jit::Module& root) {
  auto method = root.find_method("forward");
  if (!method) throw Error(ErrorCode::LoadFailed, "the TorchScript module has no forward method");
  const auto& schemaArgs = method->function().getSchema().arguments();
  std::vector<Ref> args;
  for (size_t i = 1; i < schemaArgs.size(); ++i) {
    Node input;
    input.op = Op::Input;
    input.name = schemaArgs[i].name();
    input.attrs.set("index", static_cast<int64_t>(i - 1));
    usedNames_.insert(input.name);
    args.push_back(Ref::ofTensor(graph_.addNode(std::move(input))));
  }
  Ref out = callModule(root, "", "forward", args);
  if (out.kind != Ref::Kind::Tensor) {
    throw Error(ErrorCode::UnsupportedOp, "the model must return one tensor (it returns a tuple, list or constant)");
  }
  graph_.setOutputs({out.node});
  graph_.validate();
  return std::move(graph_);
}

Ref Importer::callModule(const jit::Module& module, const std::string& path, const std::string& methodName,
                         const std::vector<Ref>& args) {
  auto method = module.find_method(methodName);
  Scope scope{path, module.named_children().size() == 0, 0};
  if (!method) unsupported("call of a module without forward", scope);
  auto g = method->graph();
  if (g->inputs().size() != args.size() + 1) unsupported("call with a mismatched argument count", scope);

  std::unordered_map<const jit::Value*, Ref> env;
  Ref self;
  self.kind = Ref::Kind::Module;
  self.module = std::make_shared<jit::Module>(module);
  self.path = path;
  env[g->inputs()[0]] = self;
  for (size_t i = 0; i < args.size(); ++i) env[g->inputs()[i + 1]] = args[i];

  int before = graph_.size();
  for (const jit::Node* n : g->nodes()) importNode(n, scope, env);
  if (g->outputs().size() != 1) unsupported("forward with several outputs", scope);
  Ref out = env.at(g->outputs()[0]);
  if (graph_.size() == before && !path.empty()) graph_.addElidedName(path);
  return out;
}

void Importer::importNode(const jit::Node* n, Scope& scope, std::unordered_map<const jit::Value*, Ref>& env) {
  const std::string kind = n->kind().toQualString();
  std::vector<Ref> in;
  for (const jit::Value* v : n->inputs()) {
    auto it = env.find(v);
    if (it == env.end()) unsupported(kind + " reading a value from an enclosing block", scope);
    in.push_back(it->second);
  }
  auto setOut = [&](Ref r) { env[n->outputs()[0]] = std::move(r); };

  if (kind == "prim::Constant") {
    Ref r;
    auto value = jit::toIValue(n->output());
    if (value && value->isTensor()) {
      r.kind = Ref::Kind::Param;
      r.tensor = value->toTensor();
      r.path = joinPath(scope.path, "constant");
    } else {
      r.kind = Ref::Kind::Constant;
      if (value) r.constant = *value;
    }
    return setOut(r);
  }
  if (kind == "prim::GetAttr") {
    const Ref& owner = in.at(0);
    if (owner.kind != Ref::Kind::Module) unsupported("attribute read of a non-module", scope);
    std::string name = n->s(c10::Symbol::attr("name"));
    c10::IValue value = owner.module->attr(name);
    Ref r;
    r.path = joinPath(owner.path, name);
    if (value.isModule()) {
      r.kind = Ref::Kind::Module;
      r.module = std::make_shared<jit::Module>(value.toModule());
    } else if (value.isTensor()) {
      r.kind = Ref::Kind::Param;
      r.tensor = value.toTensor();
    } else {
      r.kind = Ref::Kind::Constant;
      r.constant = value;
    }
    return setOut(r);
  }
  if (kind == "prim::CallMethod") {
    std::string method = n->s(c10::Symbol::attr("name"));
    const Ref& target = in.at(0);
    if (target.kind != Ref::Kind::Module) unsupported("method call on a non-module", scope);
    // A module called several times is traced into forward, forward1, forward2, ...
    if (method.rfind("forward", 0) != 0) unsupported("call of method '" + method + "'", scope);
    return setOut(callModule(*target.module, target.path, method, std::vector<Ref>(in.begin() + 1, in.end())));
  }
  if (kind == "prim::ListConstruct" || kind == "prim::TupleConstruct") {
    Ref r;
    r.kind = Ref::Kind::List;
    r.items = in;
    return setOut(r);
  }
  if (kind == "prim::ListUnpack" || kind == "prim::TupleUnpack") {
    if (in.at(0).kind != Ref::Kind::List || in[0].items.size() != n->outputs().size()) {
      unsupported(kind + " of a list not built in the graph", scope);
    }
    for (size_t i = 0; i < n->outputs().size(); ++i) env[n->outputs()[i]] = in[0].items[i];
    return;
  }
  if (kind == "prim::NumToTensor" || kind == "aten::Int" || kind == "aten::ScalarImplicit" ||
      kind == "aten::Float") {
    return setOut(in.at(0));
  }
  if (kind == "aten::size") {
    if (in.size() != 2) unsupported("aten::size without a dimension", scope);
    return setOut(Ref::ofSize(SizeExpr::dim(tensorOf(in[0], kind, scope), constInt(in[1], kind, scope))));
  }
  if (identityOps().count(kind)) {
    if ((kind.find("dropout") != std::string::npos) && in.size() >= 3 && constBool(in[2], kind, scope)) {
      unsupported(kind + " in training mode (trace the model after model.eval())", scope);
    }
    if (scope.leaf) graph_.addElidedName(scope.path);
    return setOut(in.at(0));
  }
  Ref arithmetic;
  if (importSizeArithmetic(kind, in, arithmetic)) return setOut(arithmetic);
  setOut(Ref::ofTensor(importTensorOp(kind, in, scope)));
}

bool Importer::importSizeArithmetic(const std::string& kind, const std::vector<Ref>& in, Ref& out) {
  static const std::map<std::string, SizeExpr::Kind> ops = {
      {"aten::add", SizeExpr::Kind::Add},           {"aten::sub", SizeExpr::Kind::Sub},
      {"aten::mul", SizeExpr::Kind::Mul},           {"aten::floordiv", SizeExpr::Kind::FloorDiv},
      {"aten::floor_divide", SizeExpr::Kind::FloorDiv}, {"aten::div", SizeExpr::Kind::FloorDiv}};
  auto it = ops.find(kind);
  if (it == ops.end() || in.size() < 2 || !isScalarLike(in[0]) || !isScalarLike(in[1])) return false;
  if (in[0].kind != Ref::Kind::Size && in[1].kind != Ref::Kind::Size) return false;
  out = Ref::ofSize(SizeExpr::binary(it->second, asSize(in[0]), asSize(in[1])));
  return true;
}

std::string Importer::uniqueName(const std::string& base) {
  std::string name = base;
  for (int k = 1; usedNames_.count(name); ++k) name = base + "_" + std::to_string(k);
  usedNames_.insert(name);
  return name;
}

int Importer::addNode(Op op, const std::string& suffix, Scope& scope, std::vector<int> inputs, Attributes attrs,
                      std::map<std::string, at::Tensor> params) {
  Node node;
  node.op = op;
  bool ownsModuleName = scope.leaf && scope.opsNamed == 0 && !scope.path.empty();
  node.name = uniqueName(ownsModuleName ? scope.path : joinPath(scope.path, suffix));
  node.module = ownsModuleName ? scope.path : "";
  ++scope.opsNamed;
  node.inputs = std::move(inputs);
  node.attrs = std::move(attrs);
  node.params = std::move(params);
  return graph_.addNode(std::move(node));
}

int Importer::tensorOf(const Ref& r, const std::string& kind, const Scope& scope) {
  if (r.kind == Ref::Kind::Tensor) return r.node;
  if (r.kind == Ref::Kind::Param) {
    auto it = constantNodes_.find(r.path);
    if (it != constantNodes_.end()) return it->second;
    Node node;
    node.op = Op::Constant;
    node.name = uniqueName(r.path);
    node.params["value"] = r.tensor.detach().clone();
    int id = graph_.addNode(std::move(node));
    constantNodes_[r.path] = id;
    return id;
  }
  unsupported(kind + " with a non-tensor input where a tensor is expected", scope);
}

at::Tensor paramOf(const Ref& r, const std::string& kind, const Scope& scope) {
  if (isNone(r)) return at::Tensor();
  if (r.kind != Ref::Kind::Param) unsupported(kind + " with weights computed in the forward", scope);
  return r.tensor.detach().clone().to(at::kFloat);
}

int Importer::importTensorOp(const std::string& kind, const std::vector<Ref>& in, Scope& scope) {
  auto tensor = [&](size_t i) { return tensorOf(in.at(i), kind, scope); };
  auto ints = [&](size_t i) { return constInts(in.at(i), kind, scope); };
  auto integer = [&](size_t i) { return constInt(in.at(i), kind, scope); };
  auto flag = [&](size_t i) { return constBool(in.at(i), kind, scope); };
  const std::string base = stripSuffix(kind);
  Attributes attrs;

  if (kind == "aten::_convolution" || kind == "aten::conv2d") {
    bool convolution = kind == "aten::_convolution";
    if (convolution && flag(6)) unsupported("transposed convolution (aten::_convolution, transposed=True)", scope);
    at::Tensor weight = paramOf(in.at(1), kind, scope);
    if (weight.dim() != 4) unsupported(kind + " with a " + std::to_string(weight.dim() - 2) + "-d kernel (only conv2d)", scope);
    if (in.at(4).kind == Ref::Kind::Constant && in[4].constant.isString()) unsupported(kind + " with string padding", scope);
    auto expand2 = [](std::vector<int64_t> v) { return v.size() == 1 ? std::vector<int64_t>{v[0], v[0]} : v; };
    attrs.set("stride", expand2(ints(3)));
    attrs.set("padding", expand2(ints(4)));
    attrs.set("dilation", expand2(ints(5)));
    attrs.set("groups", integer(convolution ? 8 : 6));
    std::map<std::string, at::Tensor> params{{"weight", weight}};
    if (!isNone(in.at(2))) params["bias"] = paramOf(in[2], kind, scope);
    return addNode(Op::Conv2d, "conv2d", scope, {tensor(0)}, attrs, params);
  }
  if (kind == "aten::linear") {
    std::map<std::string, at::Tensor> params{{"weight", paramOf(in.at(1), kind, scope)}};
    if (!isNone(in.at(2))) params["bias"] = paramOf(in[2], kind, scope);
    return addNode(Op::Linear, "linear", scope, {tensor(0)}, attrs, params);
  }
  if (kind == "aten::batch_norm") {
    if (flag(5)) unsupported("aten::batch_norm in training mode (trace the model after model.eval())", scope);
    at::Tensor mean = paramOf(in.at(3), kind, scope), var = paramOf(in.at(4), kind, scope);
    if (!mean.defined() || !var.defined()) unsupported("aten::batch_norm without running statistics", scope);
    at::Tensor weight = isNone(in.at(1)) ? at::ones_like(mean) : paramOf(in[1], kind, scope);
    at::Tensor bias = isNone(in.at(2)) ? at::zeros_like(mean) : paramOf(in[2], kind, scope);
    attrs.set("eps", constDouble(in.at(7), kind, scope));
    return addNode(Op::BatchNorm, "batch_norm", scope, {tensor(0)}, attrs,
                   {{"weight", weight}, {"bias", bias}, {"running_mean", mean}, {"running_var", var}});
  }
  static const std::map<std::string, Op> unary = {{"relu", Op::Relu}, {"silu", Op::Silu}, {"sigmoid", Op::Sigmoid}};
  if (auto it = unary.find(base); it != unary.end() && in.size() == 1) {
    return addNode(it->second, base, scope, {tensor(0)});
  }
  // Pooling windows: (input, kernel, stride, padding, ...); an empty stride means the kernel.
  auto setWindow = [&]() {
    auto kernel = ints(1);
    auto stride = ints(2);
    attrs.set("kernel", kernel);
    attrs.set("stride", stride.empty() ? kernel : stride);
    attrs.set("padding", ints(3));
  };
  if (kind == "aten::max_pool2d") {
    setWindow();
    attrs.set("dilation", ints(4));
    attrs.set("ceil_mode", flag(5));
    return addNode(Op::MaxPool2d, "max_pool2d", scope, {tensor(0)}, attrs);
  }
  if (kind == "aten::avg_pool2d") {
    setWindow();
    attrs.set("ceil_mode", flag(4));
    attrs.set("count_include_pad", flag(5));
    attrs.set("divisor", isNone(in.at(6)) ? int64_t(0) : integer(6));
    return addNode(Op::AvgPool2d, "avg_pool2d", scope, {tensor(0)}, attrs);
  }
  if (kind == "aten::adaptive_avg_pool2d") {
    attrs.set("output_size", ints(1));
    return addNode(Op::AdaptiveAvgPool2d, "adaptive_avg_pool2d", scope, {tensor(0)}, attrs);
  }
  if (kind == "aten::flatten") {
    attrs.set("start", integer(1));
    attrs.set("end", integer(2));
    return addNode(Op::Flatten, "flatten", scope, {tensor(0)}, attrs);
  }
  if (kind == "aten::view" || kind == "aten::reshape") {
    attrs.set("shape", sizeList(in.at(1), kind, scope));
    return addNode(Op::Reshape, base, scope, {tensor(0)}, attrs);
  }
  if (base == "add" || base == "mul") {
    Op op = base == "add" ? Op::Add : Op::Mul;
    double alpha = (op == Op::Add && in.size() > 2) ? constDouble(in[2], kind, scope) : 1.0;
    if (isScalarLike(in.at(1)) && in[1].kind == Ref::Kind::Constant) {
      attrs.set("scalar", constDouble(in[1], kind, scope) * alpha);
      return addNode(op, base, scope, {tensor(0)}, attrs);
    }
    if (alpha != 1.0) unsupported(kind + " with alpha != 1", scope);
    return addNode(op, base, scope, {tensor(0), tensor(1)}, attrs);
  }
  if (kind == "aten::cat") {
    const Ref& list = in.at(0);
    if (list.kind != Ref::Kind::List) unsupported("aten::cat of a list not built in the graph", scope);
    std::vector<int> inputs;
    for (const auto& item : list.items) inputs.push_back(tensorOf(item, kind, scope));
    attrs.set("dim", integer(1));
    return addNode(Op::Cat, "cat", scope, inputs, attrs);
  }
  if (kind == "aten::sum" || kind == "aten::mean") {
    bool hasDims = in.size() >= 4;
    if (hasDims && !isNone(in[3])) unsupported(kind + " with a dtype argument", scope);
    attrs.set("dims", hasDims && !isNone(in[1]) ? ints(1) : std::vector<int64_t>{});
    attrs.set("keepdim", hasDims ? flag(2) : false);
    return addNode(kind == "aten::sum" ? Op::Sum : Op::Mean, base, scope, {tensor(0)}, attrs);
  }
  if (kind == "aten::unsqueeze") {
    attrs.set("dim", integer(1));
    return addNode(Op::Unsqueeze, "unsqueeze", scope, {tensor(0)}, attrs);
  }
  if (kind == "aten::expand") {
    attrs.set("shape", sizeList(in.at(1), kind, scope));
    return addNode(Op::Expand, "expand", scope, {tensor(0)}, attrs);
  }
  if (kind == "aten::repeat") {
    attrs.set("repeats", sizeList(in.at(1), kind, scope));
    return addNode(Op::Repeat, "repeat", scope, {tensor(0)}, attrs);
  }
  if (kind == "aten::permute") {
    attrs.set("dims", ints(1));
    return addNode(Op::Permute, "permute", scope, {tensor(0)}, attrs);
  }
  if (kind == "aten::transpose") {
    attrs.set("dim0", integer(1));
    attrs.set("dim1", integer(2));
    return addNode(Op::Transpose, "transpose", scope, {tensor(0)}, attrs);
  }
  unsupported(kind, scope);
}

}  // namespace

namespace {

// A traced model is data: its code only describes the forward. TorchScript runs a class's
// `__setstate__` while it loads the archive, so a crafted file can run code (print, loop, write
// files) before any check; such an archive is refused unless the caller trusts it.
void refuseCodeThatRunsAtLoad(const std::string& path) {
  std::vector<std::string> records;
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
  try {
    reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
    records = reader->getAllRecords();
  } catch (const std::exception& e) {
    throw Error(ErrorCode::LoadFailed, "not a TorchScript file (not a readable archive): " + path + ": " +
                                           firstLine(e.what()));
  }
  for (const auto& name : records) {
    if (name.find("code/") == std::string::npos || name.size() < 3 || name.compare(name.size() - 3, 3, ".py") != 0) {
      continue;
    }
    auto [data, size] = reader->getRecord(name);
    std::string code(static_cast<const char*>(data.get()), size);
    if (code.find("def __setstate__") != std::string::npos) {
      throw Error(ErrorCode::LoadFailed, "refusing to load " + path + ": its code (" + name +
                                             ") defines __setstate__, which runs while the file loads; a traced "
                                             "model never needs it. Load it only if you trust it (trustCode: true, "
                                             "--trust-code)");
    }
  }
}

}  // namespace

Graph importTorchScript(const std::string& path, bool trustCode) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::FileNotFound, "model file not found: " + path);
  if (std::filesystem::is_directory(path, ec)) throw Error(ErrorCode::LoadFailed, "model path is a directory: " + path);
  if (!std::ifstream(path, std::ios::binary).good()) {
    throw Error(ErrorCode::LoadFailed, "cannot read model file " + path + " (permission denied or unreadable)");
  }
  if (!trustCode) refuseCodeThatRunsAtLoad(path);
  jit::Module module;
  try {
    module = torch::jit::load(path, c10::Device(c10::kCPU));
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::LoadFailed, "not a TorchScript file (torch.jit.load failed): " + path + ": " +
                                           firstLine(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw Error(ErrorCode::LoadFailed, "not a TorchScript file (its code does not compile): " + path + ": " +
                                           firstLine(e.what()));
  }
  module.eval();
  Graph graph = Importer().run(module);
  markGateProducts(graph);
  return graph;
}

}  // namespace lrp
