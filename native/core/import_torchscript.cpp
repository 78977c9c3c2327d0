#include "import_torchscript.h"

#include <torch/script.h>

#include <caffe2/serialize/inline_container.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

#include "errors.h"
#include "ops/op_table.h"
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

class RefArgs;

class Importer {
 public:
  Graph run(const jit::Module& root);

 private:
  Ref callModule(const jit::Module& module, const std::string& path, const std::string& method,
                 const std::vector<Ref>& args);
  void importNode(const jit::Node* n, Scope& scope, std::unordered_map<const jit::Value*, Ref>& env);
  Ref callMethod(const jit::Node* n, const std::vector<Ref>& in, const Scope& scope);
  Ref conversion(const std::string& kind, const std::vector<Ref>& in, const Scope& scope);
  Ref passThrough(const std::string& kind, const std::vector<Ref>& in, const Scope& scope);
  bool importSizeArithmetic(const std::string& kind, const std::vector<Ref>& in, const Scope& scope, Ref& out);
  Ref importTensorOp(const std::string& kind, const std::vector<Ref>& in, Scope& scope);
  int addImported(ImportedNode node, const std::string& kind, Scope& scope);

  int tensorOf(const Ref& r, const std::string& kind, const Scope& scope);
  int addNode(Op op, const std::string& suffix, Scope& scope, std::vector<int> inputs, Attributes attrs = {},
              std::map<std::string, at::Tensor> params = {});
  std::string uniqueName(const std::string& base);

  friend class RefArgs;

  Graph graph_;
  std::set<std::string> usedNames_;
  // One node per tensor read as data: a buffer read twice is one node; distinct tensor constants of
  // one scope share a path but not their storage.
  std::map<std::pair<std::string, const c10::TensorImpl*>, int> constantNodes_;
};

[[noreturn]] void unsupported(const std::string& what, const Scope& scope) {
  throw Error(ErrorCode::UnsupportedOp, "unsupported operator " + what + " in " + where(scope.path));
}

bool isNoneRef(const Ref& r) { return r.kind == Ref::Kind::None || (r.kind == Ref::Kind::Constant && r.constant.isNone()); }

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

// An integer a trace records as a constant: a Python int, or a 0-dim integer tensor (the literal
// 2 in `x.size(1) * 2`, traced as tensor arithmetic on the size).
std::optional<int64_t> tracedInt(const Ref& r) {
  if (r.kind == Ref::Kind::Constant && r.constant.isInt()) return r.constant.toInt();
  if (r.kind == Ref::Kind::Param && r.tensor.dim() == 0 && c10::isIntegralType(r.tensor.scalar_type(), false)) {
    return r.tensor.item<int64_t>();
  }
  return std::nullopt;
}

bool isNumberRef(const Ref& r) {
  return r.kind == Ref::Kind::Constant && (r.constant.isInt() || r.constant.isDouble());
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

// A TorchScript constant: a tensor (data, as a constant node when read) or a value.
Ref constantRef(const jit::Node* n, const Scope& scope) {
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
  return r;
}

// `owner.name`: a submodule, a parameter or buffer, or a constant attribute.
Ref attributeRef(const jit::Node* n, const Ref& owner, const Scope& scope) {
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
  return r;
}

Ref listRef(const std::vector<Ref>& items) {
  Ref r;
  r.kind = Ref::Kind::List;
  r.items = items;
  return r;
}

// A submodule's forward: walked in place, its nodes named after its path.
Ref Importer::callMethod(const jit::Node* n, const std::vector<Ref>& in, const Scope& scope) {
  std::string method = n->s(c10::Symbol::attr("name"));
  const Ref& target = in.at(0);
  if (target.kind != Ref::Kind::Module) unsupported("method call on a non-module", scope);
  // A module called several times is traced into forward, forward1, forward2, ...
  if (method.rfind("forward", 0) != 0) unsupported("call of method '" + method + "'", scope);
  return callModule(*target.module, target.path, method, std::vector<Ref>(in.begin() + 1, in.end()));
}

// Dropout (in eval mode) and identity-like ops vanish; a leaf module that only runs them is elided.
Ref Importer::passThrough(const std::string& kind, const std::vector<Ref>& in, const Scope& scope) {
  if ((kind.find("dropout") != std::string::npos) && in.size() >= 3 && constBool(in[2], kind, scope)) {
    unsupported(kind + " in training mode (trace the model after model.eval())", scope);
  }
  if (scope.leaf) graph_.addElidedName(scope.path);
  return in.at(0);
}

// aten::to a floating dtype, a device or another tensor's type: the plan sets dtype and device for
// every value, so the input passes through (a traced `torch.tensor(...)` in a forward is a
// constant and a conversion of it). A conversion to an integer or boolean type is not supported.
Ref Importer::conversion(const std::string& kind, const std::vector<Ref>& in, const Scope& scope) {
  for (size_t i = 1; i < std::min<size_t>(in.size(), 3); ++i) {
    const Ref& r = in[i];
    if (r.kind != Ref::Kind::Constant || r.constant.isDevice() || r.constant.isNone()) continue;
    if (r.constant.isInt()) {
      const auto type = static_cast<c10::ScalarType>(r.constant.toInt());
      if (!c10::isFloatingType(type)) unsupported(kind + " to " + c10::toString(type), scope);
    }
    break;
  }
  return in.at(0);
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

  if (kind == "prim::Constant") return setOut(constantRef(n, scope));
  if (kind == "prim::GetAttr") return setOut(attributeRef(n, in.at(0), scope));
  if (kind == "prim::CallMethod") return setOut(callMethod(n, in, scope));
  if (kind == "prim::ListConstruct" || kind == "prim::TupleConstruct") return setOut(listRef(in));
  if (kind == "prim::ListUnpack" || kind == "prim::TupleUnpack") {
    if (in.at(0).kind != Ref::Kind::List) unsupported(kind + " of a list not built in the graph", scope);
    if (in[0].items.size() != n->outputs().size()) {
      unsupported(kind + " of " + std::to_string(n->outputs().size()) + " values from a list of " +
                      std::to_string(in[0].items.size()) + " (a chunk with empty items?)", scope);
    }
    for (size_t i = 0; i < n->outputs().size(); ++i) env[n->outputs()[i]] = in[0].items[i];
    return;
  }
  // Conversions between sizes, 0-dim tensors and numbers: the same value here.
  if (kind == "prim::NumToTensor" || kind == "aten::Int" || kind == "aten::ScalarImplicit" ||
      kind == "aten::Float") {
    return setOut(in.at(0));
  }
  if (kind == "aten::size") {
    if (in.size() != 2) unsupported("aten::size without a dimension", scope);
    return setOut(Ref::ofSize(SizeExpr::dim(tensorOf(in[0], kind, scope), constInt(in[1], kind, scope))));
  }
  if (identityOps().count(kind)) return setOut(passThrough(kind, in, scope));
  if (kind == "aten::to") return setOut(conversion(kind, in, scope));
  Ref arithmetic;
  if (importSizeArithmetic(kind, in, scope, arithmetic)) return setOut(arithmetic);
  setOut(importTensorOp(kind, in, scope));
}

// Integer arithmetic on traced sizes (`x.size(1) // 2 + 1`) is a size expression, not a node.
// Its other operand is a size, a Python int or a 0-dim integer tensor; add/sub/rsub may carry an
// integer alpha (a + alpha·b).
bool Importer::importSizeArithmetic(const std::string& kind, const std::vector<Ref>& in, const Scope& scope,
                                    Ref& out) {
  static const std::map<std::string, SizeExpr::Kind> ops = {
      {"aten::add", SizeExpr::Kind::Add},           {"aten::sub", SizeExpr::Kind::Sub},
      {"aten::rsub", SizeExpr::Kind::Sub},          {"aten::mul", SizeExpr::Kind::Mul},
      {"aten::floordiv", SizeExpr::Kind::FloorDiv}, {"aten::floor_divide", SizeExpr::Kind::FloorDiv},
      {"aten::div", SizeExpr::Kind::FloorDiv}};
  auto it = ops.find(kind);
  if (it == ops.end() || in.size() < 2) return false;
  if (in[0].kind != Ref::Kind::Size && in[1].kind != Ref::Kind::Size) return false;
  auto operand = [&](const Ref& r) -> std::optional<SizeExpr> {
    if (r.kind == Ref::Kind::Size) return r.size;
    if (auto v = tracedInt(r)) return SizeExpr::constant(*v);
    if (isNumberRef(r)) unsupported(kind + " of a traced size and a non-integer number", scope);
    return std::nullopt;  // a tensor: tensor arithmetic, not a size
  };
  auto a = operand(in[0]), b = operand(in[1]);
  if (!a || !b) return false;
  if (kind == "aten::rsub") std::swap(a, b);  // rsub(self, other, alpha) = other − alpha·self
  const bool hasAlpha = (it->second == SizeExpr::Kind::Add || it->second == SizeExpr::Kind::Sub) && in.size() > 2;
  if (hasAlpha) {
    auto alpha = tracedInt(in[2]);
    if (!alpha) unsupported(kind + " of a traced size with a non-integer alpha", scope);
    if (*alpha != 1) b = SizeExpr::binary(SizeExpr::Kind::Mul, *b, SizeExpr::constant(*alpha));
  }
  out = Ref::ofSize(SizeExpr::binary(it->second, *a, *b));
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
    const auto key = std::make_pair(r.path, r.tensor.unsafeGetTensorImpl());
    auto it = constantNodes_.find(key);
    if (it != constantNodes_.end()) return it->second;
    Node node;
    node.op = Op::Constant;
    node.name = uniqueName(r.path);
    node.params["value"] = r.tensor.detach().clone();
    int id = graph_.addNode(std::move(node));
    constantNodes_[key] = id;
    return id;
  }
  unsupported(kind + " with a non-tensor input where a tensor is expected", scope);
}

at::Tensor paramOf(const Ref& r, const std::string& kind, const Scope& scope) {
  if (isNoneRef(r)) return at::Tensor();
  if (r.kind != Ref::Kind::Param) unsupported(kind + " with weights computed in the forward", scope);
  return r.tensor.detach().clone().to(at::kFloat);
}

// A tensor operator's arguments, read through the importer: tensor arguments become nodes,
// constants are checked to be constants; anything else is one "unsupported operator" error.
class RefArgs : public TorchScriptArgs {
 public:
  RefArgs(Importer& importer, const std::string& kind, const std::vector<Ref>& in, const Scope& scope)
      : importer_(importer), kind_(kind), in_(in), scope_(scope) {}

  const std::string& kind() const override { return kind_; }
  size_t count() const override { return in_.size(); }
  bool isNone(size_t i) const override { return isNoneRef(in_.at(i)); }
  bool isString(size_t i) const override {
    return in_.at(i).kind == Ref::Kind::Constant && in_[i].constant.isString();
  }
  std::string string(size_t i) const override {
    if (!isString(i)) unsupported(kind_ + " with a non-constant string argument");
    return in_[i].constant.toStringRef();
  }
  bool isNumber(size_t i) const override { return isNumberRef(in_.at(i)); }
  std::optional<double> scalar(size_t i) const override {
    const Ref& r = in_.at(i);
    if (isNumberRef(r)) return r.constant.toScalar().toDouble();
    if (r.kind == Ref::Kind::Param && r.tensor.dim() == 0 && !r.tensor.is_complex()) return r.tensor.item<double>();
    return std::nullopt;
  }
  bool isData(size_t i) const override { return in_.at(i).kind == Ref::Kind::Param; }
  int tensor(size_t i) const override { return importer_.tensorOf(in_.at(i), kind_, scope_); }
  std::vector<int> tensors(size_t i) const override {
    const Ref& list = in_.at(i);
    if (list.kind != Ref::Kind::List) unsupported(kind_ + " of a list not built in the graph");
    std::vector<int> ids;
    for (const auto& item : list.items) ids.push_back(importer_.tensorOf(item, kind_, scope_));
    return ids;
  }
  int64_t integer(size_t i) const override { return constInt(in_.at(i), kind_, scope_); }
  double number(size_t i) const override { return constDouble(in_.at(i), kind_, scope_); }
  bool flag(size_t i) const override { return constBool(in_.at(i), kind_, scope_); }
  std::vector<int64_t> ints(size_t i) const override { return constInts(in_.at(i), kind_, scope_); }
  SizeList sizes(size_t i) const override { return sizeList(in_.at(i), kind_, scope_); }
  at::Tensor weight(size_t i) const override { return paramOf(in_.at(i), kind_, scope_); }
  [[noreturn]] void unsupported(const std::string& what) const override { lrp::unsupported(what, scope_); }

 private:
  Importer& importer_;
  const std::string& kind_;
  const std::vector<Ref>& in_;
  const Scope& scope_;
};

// The operator table's importer for `kind` (ops/op_table.h) makes the node, or for an op that
// returns a list, one node per item.
Ref Importer::importTensorOp(const std::string& kind, const std::vector<Ref>& in, Scope& scope) {
  const OpInfo* info = opForTorchScript(kind);
  if (!info && kind == "aten::_native_multi_head_attention") {
    // torch.nn.MultiheadAttention traced under torch.no_grad() is this one fused op; traced with
    // gradients it is the linear layers, bmm and softmax the rules act on.
    unsupported(kind + " (a MultiheadAttention traced under torch.no_grad(); trace with gradients enabled)", scope);
  }
  if (!info) unsupported(kind, scope);
  const RefArgs args(*this, kind, in, scope);
  if (!info->fromTorchScriptList) return Ref::ofTensor(addImported(importFromTorchScript(*info, args), kind, scope));
  std::vector<Ref> items;
  for (ImportedNode& node : info->fromTorchScriptList(args)) items.push_back(Ref::ofTensor(addImported(std::move(node), kind, scope)));
  return listRef(items);
}

int Importer::addImported(ImportedNode node, const std::string& kind, Scope& scope) {
  const std::string suffix = node.suffix.empty() ? stripSuffix(kind) : node.suffix;
  return addNode(node.op, suffix, scope, std::move(node.inputs), std::move(node.attrs), std::move(node.params));
}

}  // namespace

namespace {

// TorchScript ops importNode handles itself rather than through the operator table: structure,
// constants, sizes and their arithmetic, conversions, and the ops that vanish.
bool importerHandles(const std::string& kind) {
  static const std::set<std::string> kinds = {
      "prim::Constant",   "prim::GetAttr",      "prim::CallMethod", "prim::ListConstruct", "prim::TupleConstruct",
      "prim::ListUnpack", "prim::TupleUnpack",  "prim::NumToTensor", "aten::Int",          "aten::ScalarImplicit",
      "aten::Float",      "aten::size",         "aten::to",          "aten::floordiv",     "aten::floor_divide",
      "aten::rsub"};
  return kinds.count(kind) > 0 || identityOps().count(kind) > 0;
}

// One method of `module` (at `path`) and the submodule methods it calls, read without importing.
void surveyMethod(const jit::Module& module, const std::string& path, const std::string& method,
                  std::set<std::pair<std::string, std::string>>& seen, std::vector<UnsupportedUse>& out) {
  auto found = module.find_method(method);
  if (!found) return;
  auto g = found->graph();
  std::unordered_map<const jit::Value*, std::pair<jit::Module, std::string>> modules;
  modules.emplace(g->inputs()[0], std::make_pair(module, path));
  for (const jit::Node* n : g->nodes()) {
    const std::string kind = n->kind().toQualString();
    auto owner = n->inputs().empty() ? modules.end() : modules.find(n->inputs()[0]);
    if (kind == "prim::GetAttr" && owner != modules.end()) {
      const std::string name = n->s(c10::Symbol::attr("name"));
      c10::IValue value = owner->second.first.attr(name);
      if (value.isModule()) modules.emplace(n->output(), std::make_pair(value.toModule(), joinPath(owner->second.second, name)));
    } else if (kind == "prim::CallMethod" && owner != modules.end()) {
      surveyMethod(owner->second.first, owner->second.second, n->s(c10::Symbol::attr("name")), seen, out);
    } else if (!importerHandles(kind) && !opForTorchScript(kind) && seen.emplace(kind, path).second) {
      out.push_back({kind, path});
    }
  }
}

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

namespace {

jit::Module loadModule(const std::string& path, bool trustCode) {
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
  return module;
}

}  // namespace

Graph importTorchScript(const std::string& path, bool trustCode) {
  jit::Module module = loadModule(path, trustCode);
  Graph graph = Importer().run(module);
  markGateProducts(graph);
  return graph;
}

std::vector<UnsupportedUse> unsupportedTorchScriptOperators(const std::string& path, bool trustCode) {
  jit::Module module = loadModule(path, trustCode);
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<UnsupportedUse> out;
  surveyMethod(module, "", "forward", seen, out);
  return out;
}

}  // namespace lrp
