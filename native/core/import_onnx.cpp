#include "import_onnx.h"

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "errors.h"
#include "onnx_patterns.h"
#include "onnx_tensor.h"
#include "ops/op_table.h"
#include "shape_inference.h"
#include "structural.h"

namespace lrp {
namespace {

namespace fs = std::filesystem;

// What an ONNX value stands for while the graph is walked: a tensor computed by an IR node, a
// tensor known at import (an initializer, a Constant, or arithmetic on them), or a 1-d integer
// vector (or one integer) read from the shapes of computed tensors.
struct Val {
  enum class Kind { None, Tensor, Data, Sizes };
  Kind kind = Kind::None;
  int node = -1;      // Tensor
  at::Tensor data;    // Data
  SizeList sizes;     // Sizes
  bool scalar = false;  // Sizes: one integer (0-d), not a vector
  std::string name;   // the ONNX value name (a constant node is named after it)

  static Val ofTensor(int node) { Val v; v.kind = Kind::Tensor; v.node = node; return v; }
  static Val ofData(at::Tensor t, std::string name = "") {
    Val v; v.kind = Kind::Data; v.data = std::move(t); v.name = std::move(name); return v;
  }
  static Val ofSizes(SizeList s, bool scalar = false) {
    Val v; v.kind = Kind::Sizes; v.sizes = std::move(s); v.scalar = scalar; return v;
  }
};

// One positional argument of the TorchScript call an ONNX node is translated into.
struct Arg {
  enum class Kind { None, Value, Int, Float, Bool, Ints, Sizes, Values };
  Kind kind = Kind::None;
  Val value;
  int64_t i = 0;
  double f = 0;
  std::vector<int64_t> ints;
  SizeList sizes;
  std::vector<Val> values;

  static Arg none() { return {}; }
  static Arg of(Val v) { Arg a; a.kind = Kind::Value; a.value = std::move(v); return a; }
  static Arg integer(int64_t v) { Arg a; a.kind = Kind::Int; a.i = v; return a; }
  static Arg number(double v) { Arg a; a.kind = Kind::Float; a.f = v; return a; }
  static Arg flag(bool v) { Arg a; a.kind = Kind::Bool; a.i = v; return a; }
  static Arg list(std::vector<int64_t> v) { Arg a; a.kind = Kind::Ints; a.ints = std::move(v); return a; }
  static Arg sizeList(SizeList v) { Arg a; a.kind = Kind::Sizes; a.sizes = std::move(v); return a; }
  static Arg tensors(std::vector<Val> v) { Arg a; a.kind = Kind::Values; a.values = std::move(v); return a; }
};

// The TorchScript op that a trace of the same module records, with its arguments.
struct Call {
  std::string kind;
  std::vector<Arg> args;
};

std::string inQuotes(const std::string& s) { return "'" + s + "'"; }

onnx::ModelProto readModel(const std::string& path) {
  onnx::ModelProto model;
  std::ifstream in(path, std::ios::binary);
  if (!in || !model.ParseFromIstream(&in) || !model.has_graph() || model.graph().node_size() == 0) {
    throw Error(ErrorCode::LoadFailed, "not a TorchScript file (not a readable archive) nor an ONNX model: " + path);
  }
  return model;
}

// The model's folder, where its external data lies.
fs::path folderOf(const std::string& path) {
  fs::path folder = fs::path(path).parent_path();
  return folder.empty() ? fs::path(".") : folder;
}

std::vector<int64_t> sortedAxes(std::vector<int64_t> axes, int64_t rank) {
  for (auto& a : axes) a = a < 0 ? a + rank : a;
  std::sort(axes.begin(), axes.end());
  return axes;
}

class OnnxImporter;

// The arguments of a translated call, read by the operator table's importer (op_table.h).
class CallArgs : public TorchScriptArgs {
 public:
  CallArgs(OnnxImporter& importer, const Call& call) : importer_(importer), call_(call) {}

  const std::string& kind() const override { return call_.kind; }
  size_t count() const override { return call_.args.size(); }
  bool isNone(size_t i) const override { return at(i).kind == Arg::Kind::None; }
  bool isString(size_t) const override { return false; }
  std::string string(size_t i) const override { unsupported("argument " + std::to_string(i) + " as a string"); }
  bool isNumber(size_t i) const override { return at(i).kind == Arg::Kind::Int || at(i).kind == Arg::Kind::Float; }
  std::optional<double> scalar(size_t i) const override {
    const Arg& a = at(i);
    if (a.kind == Arg::Kind::Int) return static_cast<double>(a.i);
    if (a.kind == Arg::Kind::Float) return a.f;
    if (isData(i) && a.value.data.dim() == 0) return a.value.data.item<double>();
    return std::nullopt;
  }
  bool isData(size_t i) const override { return at(i).kind == Arg::Kind::Value && at(i).value.kind == Val::Kind::Data; }
  int tensor(size_t i) const override;
  std::vector<int> tensors(size_t i) const override;
  int64_t integer(size_t i) const override {
    const Arg& a = at(i);
    if (a.kind == Arg::Kind::Int || a.kind == Arg::Kind::Bool) return a.i;
    unsupported(call_.kind + " with a non-constant integer argument");
  }
  double number(size_t i) const override {
    if (auto v = scalar(i)) return *v;
    unsupported(call_.kind + " with a non-constant number argument");
  }
  bool flag(size_t i) const override { return integer(i) != 0; }
  std::vector<int64_t> ints(size_t i) const override {
    const Arg& a = at(i);
    if (a.kind == Arg::Kind::Ints) return a.ints;
    if (a.kind == Arg::Kind::Int) return {a.i};
    unsupported(call_.kind + " with a non-constant integer list");
  }
  SizeList sizes(size_t i) const override {
    const Arg& a = at(i);
    if (a.kind == Arg::Kind::Sizes) return a.sizes;
    SizeList out;
    for (int64_t v : ints(i)) out.push_back(SizeExpr::constant(v));
    return out;
  }
  at::Tensor weight(size_t i) const override {
    if (isNone(i)) return at::Tensor();
    if (!isData(i)) unsupported(call_.kind + " with weights computed in the forward");
    return at(i).value.data.detach().clone().to(at::kFloat);
  }
  [[noreturn]] void unsupported(const std::string& what) const override;

 private:
  const Arg& at(size_t i) const {
    if (i >= call_.args.size()) unsupported(call_.kind + " without argument " + std::to_string(i));
    return call_.args[i];
  }
  OnnxImporter& importer_;
  const Call& call_;
};

class OnnxImporter {
 public:
  OnnxImporter(const onnx::ModelProto& model, fs::path folder) : model_(model), folder_(std::move(folder)) {}
  Graph run();
  static std::vector<std::string> opTypes();  // the keys of handlers()
  std::vector<UnsupportedUse> survey();

  int tensorOf(const Val& v, const std::string& what);
  [[noreturn]] void unsupported(const std::string& what) const;

 private:
  using Handler = void (OnnxImporter::*)(const onnx::NodeProto&);
  static const std::map<std::string, Handler>& handlers();

  void readOpset();
  void collectRanks();
  void scanScopes();
  std::string moduleOf(const std::string& scope) const;
  void importNode(const onnx::NodeProto& n);

  // Inputs and attributes of the node being imported.
  const Val& in(const onnx::NodeProto& n, int k) const;
  bool hasIn(const onnx::NodeProto& n, int k) const { return k < n.input_size() && !n.input(k).empty(); }
  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) const;
  int64_t attrInt(const onnx::NodeProto& n, const std::string& name, int64_t fallback) const;
  double attrFloat(const onnx::NodeProto& n, const std::string& name, double fallback) const;
  std::vector<int64_t> attrInts(const onnx::NodeProto& n, const std::string& name, std::vector<int64_t> fallback = {}) const;
  std::vector<int64_t> constInts(const Val& v, const std::string& what) const;
  std::vector<int64_t> staticInts(const Val& v, const std::string& what) const;
  SizeList sizesOf(const Val& v, const std::string& what) const;
  int64_t rankOf(const onnx::NodeProto& n, int k);
  void setOut(const onnx::NodeProto& n, Val v, int k = 0);

  // Makes the IR node of a translated call through the operator table, named as a trace names it.
  void emit(const onnx::NodeProto& n, const Call& call);
  std::vector<Val> make(const onnx::NodeProto& n, const Call& call);
  int addNode(const onnx::NodeProto& n, ImportedNode node, const std::string& suffix);

  // One handler per ONNX op (or group of ops).
  void constant(const onnx::NodeProto& n);
  void passThrough(const onnx::NodeProto& n);
  void shape(const onnx::NodeProto& n);
  void gather(const onnx::NodeProto& n);
  void unsqueeze(const onnx::NodeProto& n);
  void squeeze(const onnx::NodeProto& n);
  void concat(const onnx::NodeProto& n);
  void cast(const onnx::NodeProto& n);
  void arithmetic(const onnx::NodeProto& n);
  void equal(const onnx::NodeProto& n);
  void where(const onnx::NodeProto& n);
  void constantOfShape(const onnx::NodeProto& n);
  void slice(const onnx::NodeProto& n);
  void sliceTensor(const onnx::NodeProto& n);
  void reshape(const onnx::NodeProto& n);
  SizeList withFixedSizes(int input, SizeList shape) const;
  void expand(const onnx::NodeProto& n);
  void tile(const onnx::NodeProto& n);
  void pad(const onnx::NodeProto& n);
  std::vector<int64_t> padsOf(const onnx::NodeProto& pad, int64_t rank);
  void conv(const onnx::NodeProto& n);
  void gemm(const onnx::NodeProto& n);
  void matMul(const onnx::NodeProto& n);
  void batchNorm(const onnx::NodeProto& n);
  void activation(const onnx::NodeProto& n);
  void clip(const onnx::NodeProto& n);
  void split(const onnx::NodeProto& n);
  void maxPool(const onnx::NodeProto& n);
  void averagePool(const onnx::NodeProto& n);
  void globalAveragePool(const onnx::NodeProto& n);
  void flatten(const onnx::NodeProto& n);
  void transpose(const onnx::NodeProto& n);
  void reduce(const onnx::NodeProto& n);
  void softmax(const onnx::NodeProto& n);
  void layerNormalization(const onnx::NodeProto& n);
  void layerNormPattern(const onnx::NodeProto& n, const LayerNormPattern& p);
  void emitLayerNorm(const onnx::NodeProto& n, const Val& x, int64_t axes, const Val* weight, const Val* bias, double eps);

  std::vector<int64_t> symmetricPads(const onnx::NodeProto& n, size_t spatial);

  const onnx::ModelProto& model_;
  fs::path folder_;
  int64_t opset_ = 0;
  const onnx::NodeProto* current_ = nullptr;
  Graph graph_;
  std::unordered_map<std::string, Val> values_;
  std::unordered_map<std::string, int64_t> ranks_;
  // Static sizes the model's types give (-1 where a size is symbolic or unknown), by value name,
  // and the value name of each IR node, for sizes an op needs as numbers (a Slice's bounds).
  std::unordered_map<std::string, std::vector<int64_t>> staticDims_;
  std::unordered_map<int, std::string> valueOfNode_;
  std::set<std::string> usedNames_;
  std::map<std::string, int> constantNodes_;  // by ONNX value name
  std::set<std::string> scopes_;              // the scopes of all nodes
  std::set<std::string> innerScopes_;         // scopes that contain other scopes (not leaf modules)
  std::map<std::string, int> opsNamed_;       // IR nodes made so far per scope
  OnnxPatterns patterns_;  // nodes imported together as one op (onnx_patterns.h)
};

int CallArgs::tensor(size_t i) const {
  const Arg& a = at(i);
  if (a.kind != Arg::Kind::Value) unsupported(call_.kind + " with a non-tensor input where a tensor is expected");
  return importer_.tensorOf(a.value, call_.kind);
}

std::vector<int> CallArgs::tensors(size_t i) const {
  const Arg& a = at(i);
  if (a.kind != Arg::Kind::Values) unsupported(call_.kind + " of a list not built in the graph");
  std::vector<int> ids;
  for (const Val& v : a.values) ids.push_back(importer_.tensorOf(v, call_.kind));
  return ids;
}

void CallArgs::unsupported(const std::string& what) const { importer_.unsupported(what); }

void OnnxImporter::unsupported(const std::string& what) const {
  std::string where = current_ ? " in node " + inQuotes(current_->name().empty() ? current_->op_type() : current_->name()) : "";
  throw Error(ErrorCode::UnsupportedOp,
              "unsupported ONNX operator " + what + where + " (opset " + std::to_string(opset_) + ")");
}

// --- the walk ---------------------------------------------------------------------------------

void OnnxImporter::readOpset() {
  for (const auto& entry : model_.opset_import()) {
    if (entry.domain().empty() || entry.domain() == "ai.onnx") opset_ = entry.version();
  }
  if (opset_ < kOnnxMinOpset || opset_ > kOnnxMaxOpset) {
    throw Error(ErrorCode::UnsupportedOp, "ONNX opset " + std::to_string(opset_) + " is not supported (supported: " +
                                              std::to_string(kOnnxMinOpset) + "–" + std::to_string(kOnnxMaxOpset) +
                                              "; re-export with torch.onnx.export(..., opset_version=17))");
  }
}

// Ranks of values, from the model's type information completed by ONNX's shape inference.
void OnnxImporter::collectRanks() {
  // A copy of the graph for ONNX's shape inference, without the weights: an initializer keeps its
  // type and dimensions, and its values only when small (a shape or an axis list it may read).
  constexpr int64_t kSmall = 64;
  onnx::ModelProto inferred;
  inferred.set_ir_version(model_.ir_version());
  *inferred.mutable_opset_import() = model_.opset_import();
  const auto& source = model_.graph();
  onnx::GraphProto* copy = inferred.mutable_graph();
  *copy->mutable_node() = source.node();
  *copy->mutable_input() = source.input();
  *copy->mutable_output() = source.output();
  *copy->mutable_value_info() = source.value_info();
  for (const auto& t : source.initializer()) {
    int64_t count = 1;
    for (int64_t d : t.dims()) count *= d;
    onnx::TensorProto* init = copy->add_initializer();
    if (count <= kSmall && t.data_location() != onnx::TensorProto::EXTERNAL) {
      *init = t;
    } else {
      init->set_name(t.name());
      init->set_data_type(t.data_type());
      *init->mutable_dims() = t.dims();
    }
  }
  try {
    onnx::shape_inference::InferShapes(inferred);
  } catch (const std::exception&) {
    // Types the model already records still give ranks; a missing one fails where it is needed.
  }
  const auto& g = inferred.graph();
  auto record = [&](const onnx::ValueInfoProto& v) {
    if (v.type().has_tensor_type() && v.type().tensor_type().has_shape()) {
      const auto& shape = v.type().tensor_type().shape();
      ranks_[v.name()] = shape.dim_size();
      std::vector<int64_t> dims;
      for (const auto& d : shape.dim()) dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
      staticDims_[v.name()] = dims;
    }
  };
  for (const auto& v : g.input()) record(v);
  for (const auto& v : g.value_info()) record(v);
  for (const auto& v : g.output()) record(v);
}

// "/layer1/layer1.0/conv1/Conv": the scope "/layer1/layer1.0/conv1". torch.onnx.export names each
// scope part by its module's path from the last non-numeric atom on ("layer1.0", "conv1"), so the
// module path is the last atoms of the parts joined: "layer1.0.conv1". A scope that holds another
// scope is a module with children (not a leaf).
std::string scopeOf(const std::string& nodeName) {
  if (nodeName.empty() || nodeName[0] != '/') return "";
  return nodeName.substr(0, nodeName.rfind('/'));
}

std::string modulePathOf(const std::string& scope) {
  std::string path;
  size_t start = 1;
  while (start <= scope.size()) {
    size_t end = scope.find('/', start);
    if (end == std::string::npos) end = scope.size();
    const std::string part = scope.substr(start, end - start);
    const std::string atom = part.substr(part.rfind('.') + 1);
    if (!atom.empty()) path += (path.empty() ? "" : ".") + atom;
    start = end + 1;
  }
  return path;
}

void OnnxImporter::scanScopes() {
  for (const auto& n : model_.graph().node()) {
    std::string scope = scopeOf(n.name());
    scopes_.insert(scope);
    for (size_t cut = scope.rfind('/'); cut != std::string::npos && cut > 0; cut = scope.rfind('/', cut - 1)) {
      innerScopes_.insert(scope.substr(0, cut));
    }
  }
}

// The module a scope runs: a module called again gets the scope "…/relu_1" beside "…/relu".
std::string OnnxImporter::moduleOf(const std::string& scope) const {
  const size_t underscore = scope.rfind('_');
  if (underscore != std::string::npos && underscore > scope.rfind('/') &&
      scope.find_first_not_of("0123456789", underscore + 1) == std::string::npos && underscore + 1 < scope.size() &&
      scopes_.count(scope.substr(0, underscore))) {
    return modulePathOf(scope.substr(0, underscore));
  }
  return modulePathOf(scope);
}

Graph OnnxImporter::run() {
  readOpset();
  collectRanks();
  patterns_ = findOnnxPatterns(model_.graph(), ranks_, folder_);
  scanScopes();
  const auto& g = model_.graph();
  for (const auto& t : g.initializer()) values_[t.name()] = Val::ofData(tensorFromProto(t, folder_), t.name());
  int64_t index = 0;
  for (const auto& input : g.input()) {
    if (values_.count(input.name())) continue;  // an initializer also listed as an input
    const auto& type = input.type().tensor_type();
    if (type.has_elem_type() && !c10::isFloatingType(scalarTypeOf(type.elem_type(), "input " + inQuotes(input.name())))) {
      throw Error(ErrorCode::UnsupportedOp, "ONNX model input " + inQuotes(input.name()) +
                                                " is not a floating-point tensor (only float inputs are supported)");
    }
    Node node;
    node.op = Op::Input;
    node.name = input.name();
    node.attrs.set("index", index++);
    // The rank the model declares: checked at every forward, and known to shape inference; and
    // the sizes it fixes (-1 where an axis is dynamic), checked at every forward: an export
    // without a dynamic batch axis may hold the exported batch in its shape arithmetic.
    if (type.has_shape()) {
      node.attrs.set("rank", static_cast<int64_t>(type.shape().dim_size()));
      std::vector<int64_t> fixed;
      for (const auto& d : type.shape().dim()) fixed.push_back(d.has_dim_value() && d.dim_value() > 0 ? d.dim_value() : -1);
      if (std::any_of(fixed.begin(), fixed.end(), [](int64_t v) { return v > 0; })) node.attrs.set("shape", fixed);
    }
    usedNames_.insert(node.name);
    const int id = graph_.addNode(std::move(node));
    valueOfNode_.emplace(id, input.name());
    values_[input.name()] = Val::ofTensor(id);
  }
  for (const auto& n : g.node()) {
    if (patterns_.fusedAway.count(&n)) continue;
    current_ = &n;
    importNode(n);
  }
  current_ = nullptr;
  if (g.output_size() != 1) {
    throw Error(ErrorCode::UnsupportedOp, "the model must return one tensor (the ONNX graph has " +
                                              std::to_string(g.output_size()) + " outputs)");
  }
  const Val& out = values_.at(g.output(0).name());
  if (out.kind != Val::Kind::Tensor) {
    throw Error(ErrorCode::UnsupportedOp, "the model must return a tensor computed from its inputs");
  }
  graph_.setOutputs({out.node});
  graph_.validate();
  return std::move(graph_);
}

// The nodes no handler or pattern takes, without importing anything.
std::vector<UnsupportedUse> OnnxImporter::survey() {
  readOpset();
  collectRanks();
  patterns_ = findOnnxPatterns(model_.graph(), ranks_, folder_);
  scanScopes();
  std::vector<UnsupportedUse> out;
  for (const auto& n : model_.graph().node()) {
    const bool otherDomain = !n.domain().empty() && n.domain() != "ai.onnx";
    if (patterns_.fusedAway.count(&n) || (!otherDomain && handlers().count(n.op_type()))) continue;
    const bool scoped = !n.name().empty() && n.name()[0] == '/';
    out.push_back({otherDomain ? n.domain() + "::" + n.op_type() : n.op_type(), scoped ? moduleOf(scopeOf(n.name())) : "",
                   n.name().empty() ? n.op_type() : n.name(), opset_});
  }
  return out;
}

const std::map<std::string, OnnxImporter::Handler>& OnnxImporter::handlers() {
  static const std::map<std::string, Handler> table = {
      {"Constant", &OnnxImporter::constant},
      {"Identity", &OnnxImporter::passThrough},
      {"Dropout", &OnnxImporter::passThrough},
      {"Shape", &OnnxImporter::shape},
      {"Gather", &OnnxImporter::gather},
      {"Unsqueeze", &OnnxImporter::unsqueeze},
      {"Squeeze", &OnnxImporter::squeeze},
      {"Concat", &OnnxImporter::concat},
      {"Cast", &OnnxImporter::cast},
      {"Add", &OnnxImporter::arithmetic},
      {"Sub", &OnnxImporter::arithmetic},
      {"Mul", &OnnxImporter::arithmetic},
      {"Div", &OnnxImporter::arithmetic},
      {"Equal", &OnnxImporter::equal},
      {"Where", &OnnxImporter::where},
      {"ConstantOfShape", &OnnxImporter::constantOfShape},
      {"Slice", &OnnxImporter::slice},
      {"Reshape", &OnnxImporter::reshape},
      {"Expand", &OnnxImporter::expand},
      {"Tile", &OnnxImporter::tile},
      {"Pad", &OnnxImporter::pad},
      {"Conv", &OnnxImporter::conv},
      {"Gemm", &OnnxImporter::gemm},
      {"MatMul", &OnnxImporter::matMul},
      {"BatchNormalization", &OnnxImporter::batchNorm},
      {"Relu", &OnnxImporter::activation},
      {"Sigmoid", &OnnxImporter::activation},
      {"HardSwish", &OnnxImporter::activation},
      {"HardSigmoid", &OnnxImporter::activation},
      {"Clip", &OnnxImporter::clip},
      {"Split", &OnnxImporter::split},
      {"MaxPool", &OnnxImporter::maxPool},
      {"AveragePool", &OnnxImporter::averagePool},
      {"GlobalAveragePool", &OnnxImporter::globalAveragePool},
      {"Flatten", &OnnxImporter::flatten},
      {"Transpose", &OnnxImporter::transpose},
      {"ReduceSum", &OnnxImporter::reduce},
      {"ReduceMean", &OnnxImporter::reduce},
      {"Softmax", &OnnxImporter::softmax},
      {"LayerNormalization", &OnnxImporter::layerNormalization},
  };
  return table;
}

std::vector<std::string> OnnxImporter::opTypes() {
  std::vector<std::string> out;
  for (const auto& [type, handler] : handlers()) out.push_back(type);
  return out;
}

void OnnxImporter::importNode(const onnx::NodeProto& n) {
  if (!n.domain().empty() && n.domain() != "ai.onnx") unsupported(n.domain() + "::" + n.op_type());
  if (auto gelu = patterns_.geluOf.find(&n); gelu != patterns_.geluOf.end()) {
    return emit(n, {"aten::gelu", {Arg::of(values_.at(gelu->second))}});
  }
  if (auto norm = patterns_.layerNormOf.find(&n); norm != patterns_.layerNormOf.end()) return layerNormPattern(n, norm->second);
  auto it = handlers().find(n.op_type());
  if (it == handlers().end()) unsupported(n.op_type());
  (this->*it->second)(n);
}

const Val& OnnxImporter::in(const onnx::NodeProto& n, int k) const {
  if (!hasIn(n, k)) unsupported(n.op_type() + " without input " + std::to_string(k));
  auto it = values_.find(n.input(k));
  if (it == values_.end()) unsupported(n.op_type() + " reading " + inQuotes(n.input(k)) + ", which no node makes");
  return it->second;
}

const onnx::AttributeProto* OnnxImporter::attr(const onnx::NodeProto& n, const std::string& name) const {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t OnnxImporter::attrInt(const onnx::NodeProto& n, const std::string& name, int64_t fallback) const {
  const auto* a = attr(n, name);
  return a ? a->i() : fallback;
}

// ONNX stores float attributes as float32: the decimal they were written from (an epsilon of 1e-5).
double OnnxImporter::attrFloat(const onnx::NodeProto& n, const std::string& name, double fallback) const {
  const auto* a = attr(n, name);
  return a ? decimalOf(a->f()) : fallback;
}

std::vector<int64_t> OnnxImporter::attrInts(const onnx::NodeProto& n, const std::string& name,
                                            std::vector<int64_t> fallback) const {
  const auto* a = attr(n, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : fallback;
}

std::vector<int64_t> OnnxImporter::constInts(const Val& v, const std::string& what) const {
  if (v.kind == Val::Kind::Data && !v.data.is_floating_point()) {
    at::Tensor flat = v.data.to(at::kLong).reshape({-1}).contiguous();
    return std::vector<int64_t>(flat.data_ptr<int64_t>(), flat.data_ptr<int64_t>() + flat.numel());
  }
  if (v.kind == Val::Kind::Sizes) {
    std::vector<int64_t> out;
    for (const auto& s : v.sizes) {
      if (!s.isConstant()) unsupported(what + " that depends on the input's size");
      out.push_back(s.constantValue());
    }
    return out;
  }
  unsupported(what + " computed in the forward");
}

SizeList OnnxImporter::sizesOf(const Val& v, const std::string& what) const {
  if (v.kind == Val::Kind::Sizes) return v.sizes;
  SizeList out;
  for (int64_t x : constInts(v, what)) out.push_back(SizeExpr::constant(x));
  return out;
}

int64_t OnnxImporter::rankOf(const onnx::NodeProto& n, int k) {
  const Val& v = in(n, k);
  if (v.kind == Val::Kind::Data) return v.data.dim();
  if (v.kind == Val::Kind::Sizes) return v.scalar ? 0 : 1;
  // The IR's own shape inference first (it knows the nodes made so far), then the model's types.
  const int64_t inferred = ShapeInfo(graph_).rank(v.node);
  if (inferred >= 0) return inferred;
  auto it = ranks_.find(n.input(k));
  if (it == ranks_.end()) unsupported(n.op_type() + " of a tensor whose rank is not recorded in the model");
  return it->second;
}

void OnnxImporter::setOut(const onnx::NodeProto& n, Val v, int k) {
  if (k >= n.output_size() || n.output(k).empty()) return;
  if (v.kind == Val::Kind::Tensor) valueOfNode_.emplace(v.node, n.output(k));
  values_[n.output(k)] = std::move(v);
}

// Integers that may be sizes read from computed tensors, as numbers: each size that is static
// (a channel count; a dynamic batch size is not), from the model's types or, where those do not
// fix it (after a Reshape to computed sizes, as ShuffleNet's channel shuffle exports), from the
// IR's shape inference over the nodes made so far. So Shape → Gather → Add/Div/Mul → Slice (the
// channel split x.chunk(2, 1) exports) folds to the numbers a trace records.
std::vector<int64_t> OnnxImporter::staticInts(const Val& v, const std::string& what) const {
  if (v.kind != Val::Kind::Sizes) return constInts(v, what);
  std::optional<ShapeInfo> shapes;
  std::vector<int64_t> out;
  for (const SizeExpr& e : v.sizes) {
    out.push_back(e.evaluate([&](int node, int64_t dim) {
      auto name = valueOfNode_.find(node);
      auto dims = name == valueOfNode_.end() ? staticDims_.end() : staticDims_.find(name->second);
      if (dims != staticDims_.end() && dim < static_cast<int64_t>(dims->second.size()) && dims->second[dim] >= 0) {
        return dims->second[dim];
      }
      if (!shapes) shapes.emplace(graph_);
      if (auto size = shapes->staticSize(node, dim)) return *size;
      unsupported(what + " that depends on a size the model does not fix");
    }));
  }
  return out;
}

int OnnxImporter::tensorOf(const Val& v, const std::string& what) {
  if (v.kind == Val::Kind::Tensor) return v.node;
  if (v.kind == Val::Kind::Data) {
    auto it = constantNodes_.find(v.name);
    if (!v.name.empty() && it != constantNodes_.end()) return it->second;
    Node node;
    node.op = Op::Constant;
    std::string base = v.name.empty() ? "constant" : v.name;
    node.name = base;
    for (int k = 1; usedNames_.count(node.name); ++k) node.name = base + "_" + std::to_string(k);
    usedNames_.insert(node.name);
    node.params["value"] = v.data.is_floating_point() ? v.data.to(at::kFloat) : v.data.clone();
    int id = graph_.addNode(std::move(node));
    if (!v.name.empty()) constantNodes_[v.name] = id;
    return id;
  }
  unsupported(what + " of a shape computation where a tensor is expected");
}

// --- naming -----------------------------------------------------------------------------------

int OnnxImporter::addNode(const onnx::NodeProto& n, ImportedNode imported, const std::string& suffix) {
  const std::string scope = scopeOf(n.name());
  std::string path, base;
  bool ownsModuleName;
  if (!n.name().empty() && n.name()[0] == '/') {
    path = modulePathOf(scope);
    const bool leaf = !path.empty() && !innerScopes_.count(scope);
    ownsModuleName = leaf && opsNamed_[scope]++ == 0;
    base = ownsModuleName ? path : (path.empty() ? suffix : path + "." + suffix);
  } else {
    // Another producer: the node's own name (or the op's when it has none).
    path = n.name();
    ownsModuleName = !path.empty() && opsNamed_["#" + path]++ == 0;
    base = ownsModuleName ? path : path.empty() ? suffix : path + "." + suffix;
  }
  Node node;
  node.op = imported.op;
  node.name = base;
  for (int k = 1; usedNames_.count(node.name); ++k) node.name = base + "_" + std::to_string(k);
  usedNames_.insert(node.name);
  node.module = !ownsModuleName ? "" : n.name()[0] == '/' ? moduleOf(scope) : path;
  node.inputs = std::move(imported.inputs);
  node.attrs = std::move(imported.attrs);
  node.params = std::move(imported.params);
  return graph_.addNode(std::move(node));
}

// The nodes of one call: one, or one per item for an op that returns a list (aten::chunk).
std::vector<Val> OnnxImporter::make(const onnx::NodeProto& n, const Call& call) {
  const OpInfo* info = opForTorchScript(call.kind);
  if (!info) throw Error(ErrorCode::Internal, "the operator table has no entry for " + call.kind);
  const CallArgs args(*this, call);
  std::vector<ImportedNode> nodes;
  if (info->fromTorchScriptList) nodes = info->fromTorchScriptList(args);
  else nodes.push_back(importFromTorchScript(*info, args));
  std::vector<Val> out;
  for (ImportedNode& node : nodes) {
    std::string suffix = node.suffix;
    if (suffix.empty()) {
      suffix = call.kind.substr(call.kind.find("::") + 2);
      if (!suffix.empty() && suffix.back() == '_') suffix.pop_back();
    }
    out.push_back(Val::ofTensor(addNode(n, std::move(node), suffix)));
  }
  return out;
}

void OnnxImporter::emit(const onnx::NodeProto& n, const Call& call) { setOut(n, make(n, call).at(0)); }

// --- values known at import: constants and shape arithmetic -------------------------------------

void OnnxImporter::constant(const onnx::NodeProto& n) {
  const std::string name = n.output(0);
  if (const auto* a = attr(n, "value")) return setOut(n, Val::ofData(tensorFromProto(a->t(), folder_), name));
  if (const auto* a = attr(n, "value_float")) return setOut(n, Val::ofData(at::scalar_tensor(a->f(), at::kFloat), name));
  if (const auto* a = attr(n, "value_int")) return setOut(n, Val::ofData(at::scalar_tensor(a->i(), at::kLong), name));
  if (const auto* a = attr(n, "value_floats")) {
    std::vector<float> v(a->floats().begin(), a->floats().end());
    return setOut(n, Val::ofData(at::tensor(v), name));
  }
  if (attr(n, "value_ints")) return setOut(n, Val::ofData(at::tensor(attrInts(n, "value_ints")), name));
  unsupported("Constant without a tensor or number value");
}

// Identity and Dropout (inference: its mask output unread, training_mode false or absent).
void OnnxImporter::passThrough(const onnx::NodeProto& n) {
  if (n.op_type() == "Dropout" && hasIn(n, 2)) {
    const Val& training = in(n, 2);
    if (training.kind != Val::Kind::Data || training.data.item<double>() != 0) {
      unsupported("Dropout in training mode (export the model after model.eval())");
    }
  }
  setOut(n, in(n, 0));
}

void OnnxImporter::shape(const onnx::NodeProto& n) {
  const Val& x = in(n, 0);
  if (x.kind == Val::Kind::Sizes) {
    return setOut(n, Val::ofSizes({SizeExpr::constant(x.scalar ? 0 : static_cast<int64_t>(x.sizes.size()))}));
  }
  const int64_t rank = rankOf(n, 0);
  int64_t start = attrInt(n, "start", 0), end = attrInt(n, "end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  SizeList sizes;
  for (int64_t d = start; d < end; ++d) {
    sizes.push_back(x.kind == Val::Kind::Data ? SizeExpr::constant(x.data.size(d))
                                              : SizeExpr::dim(tensorOf(x, "Shape"), d));
  }
  setOut(n, Val::ofSizes(sizes));
}

// Entries of a size vector, or of a tensor known at import, at constant indices.
void OnnxImporter::gather(const onnx::NodeProto& n) {
  const Val &x = in(n, 0), &indices = in(n, 1);
  if (indices.kind != Val::Kind::Data) unsupported("Gather with indices computed in the forward");
  const int64_t axis = attrInt(n, "axis", 0);
  if (x.kind == Val::Kind::Data) {
    const int64_t dim = axis < 0 ? axis + x.data.dim() : axis;
    at::Tensor idx = indices.data.to(at::kLong);
    idx = at::where(idx < 0, idx + x.data.size(dim), idx);
    at::Tensor picked = at::index_select(x.data, dim, idx.reshape({-1}));
    std::vector<int64_t> shape(x.data.sizes().begin(), x.data.sizes().begin() + dim);
    for (int64_t s : idx.sizes()) shape.push_back(s);
    for (int64_t d = dim + 1; d < x.data.dim(); ++d) shape.push_back(x.data.size(d));
    return setOut(n, Val::ofData(picked.reshape(shape)));
  }
  if (x.kind == Val::Kind::Sizes && !x.scalar && (axis == 0 || axis == -1)) {
    SizeList out;
    const int64_t count = static_cast<int64_t>(x.sizes.size());
    for (int64_t i : constInts(indices, "Gather")) out.push_back(x.sizes.at(i < 0 ? i + count : i));
    return setOut(n, Val::ofSizes(out, indices.data.dim() == 0));
  }
  if (x.kind == Val::Kind::Tensor && indices.data.dim() == 0) {
    return emit(n, {"aten::select", {Arg::of(x), Arg::integer(axis), Arg::integer(indices.data.item<int64_t>())}});
  }
  unsupported("Gather of a computed tensor by indices other than one number");
}

void OnnxImporter::unsqueeze(const onnx::NodeProto& n) {
  const Val& x = in(n, 0);
  std::vector<int64_t> axes = hasIn(n, 1) ? constInts(in(n, 1), "Unsqueeze axes") : attrInts(n, "axes");
  const int64_t rank = rankOf(n, 0) + static_cast<int64_t>(axes.size());
  axes = sortedAxes(axes, rank);
  if (x.kind == Val::Kind::Sizes) {
    if (!x.scalar || axes != std::vector<int64_t>{0}) unsupported("Unsqueeze of a size vector");
    return setOut(n, Val::ofSizes(x.sizes));
  }
  if (x.kind == Val::Kind::Data) {
    at::Tensor t = x.data;
    for (int64_t a : axes) t = t.unsqueeze(a);
    return setOut(n, Val::ofData(t, n.output(0)));
  }
  // Several axes: one unsqueeze each, as a trace of x.unsqueeze(a).unsqueeze(b) records them.
  Val current = x;
  for (size_t k = 0; k < axes.size(); ++k) {
    current = make(n, {"aten::unsqueeze", {Arg::of(current), Arg::integer(axes[k])}}).at(0);
  }
  setOut(n, current);
}

// Squeeze of a computed tensor: a reshape to its sizes without the squeezed axes.
void OnnxImporter::squeeze(const onnx::NodeProto& n) {
  const Val& x = in(n, 0);
  const int64_t rank = rankOf(n, 0);
  std::vector<int64_t> axes = hasIn(n, 1) ? constInts(in(n, 1), "Squeeze axes") : attrInts(n, "axes");
  if (axes.empty()) unsupported("Squeeze without axes");
  axes = sortedAxes(axes, rank);
  if (x.kind == Val::Kind::Sizes) {
    if (x.sizes.size() != 1 || axes != std::vector<int64_t>{0}) unsupported("Squeeze of a size vector");
    return setOut(n, Val::ofSizes(x.sizes, true));
  }
  if (x.kind == Val::Kind::Data) {
    at::Tensor t = x.data;
    for (auto it = axes.rbegin(); it != axes.rend(); ++it) t = t.squeeze(*it);
    return setOut(n, Val::ofData(t, n.output(0)));
  }
  const int id = tensorOf(x, "Squeeze");
  SizeList shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (!std::count(axes.begin(), axes.end(), d)) shape.push_back(SizeExpr::dim(id, d));
  }
  emit(n, {"aten::view", {Arg::of(x), Arg::sizeList(shape)}});
}

void OnnxImporter::concat(const onnx::NodeProto& n) {
  const int64_t axis = attrInt(n, "axis", 0);
  bool anySizes = false, allData = true;
  std::vector<Val> parts;
  for (int k = 0; k < n.input_size(); ++k) {
    parts.push_back(in(n, k));
    anySizes |= parts.back().kind == Val::Kind::Sizes;
    allData &= parts.back().kind == Val::Kind::Data;
  }
  if (anySizes) {
    SizeList out;
    for (const Val& p : parts) {
      SizeList s = sizesOf(p, "Concat of sizes");
      out.insert(out.end(), s.begin(), s.end());
    }
    return setOut(n, Val::ofSizes(out));
  }
  if (allData) {
    std::vector<at::Tensor> tensors;
    for (const Val& p : parts) tensors.push_back(p.data);
    return setOut(n, Val::ofData(at::cat(tensors, axis), n.output(0)));
  }
  emit(n, {"aten::cat", {Arg::tensors(parts), Arg::integer(axis)}});
}

// Casts of sizes and constants; a computed tensor may only be cast to a floating type (the plan
// sets the dtype of every value), as aten::to passes through in the TorchScript import.
void OnnxImporter::cast(const onnx::NodeProto& n) {
  const Val& x = in(n, 0);
  const at::ScalarType to = scalarTypeOf(static_cast<int32_t>(attrInt(n, "to", 1)), "Cast");
  if (x.kind == Val::Kind::Data) return setOut(n, Val::ofData(x.data.to(to), n.output(0)));
  if (x.kind == Val::Kind::Sizes) {
    if (!c10::isIntegralType(to, false)) unsupported("Cast of a tensor's size to a floating type");
    return setOut(n, x);
  }
  if (!c10::isFloatingType(to)) unsupported(std::string("Cast of a computed tensor to ") + c10::toString(to));
  setOut(n, x);
}

// Add, Sub, Mul, Div: size arithmetic when an operand is a size; folded when both are known;
// otherwise the TorchScript op (aten::add(x, y, alpha=1), aten::sub, aten::mul, aten::div).
void OnnxImporter::arithmetic(const onnx::NodeProto& n) {
  if (patterns_.siluOf.count(&n)) {
    const onnx::NodeProto& sigmoid = *patterns_.siluOf.at(&n);
    return emit(n, {"aten::silu", {Arg::of(values_.at(sigmoid.input(0)))}});
  }
  const std::string& op = n.op_type();
  const Val &a = in(n, 0), &b = in(n, 1);
  if (a.kind == Val::Kind::Sizes || b.kind == Val::Kind::Sizes) {
    static const std::map<std::string, SizeExpr::Kind> kinds = {
        {"Add", SizeExpr::Kind::Add}, {"Sub", SizeExpr::Kind::Sub}, {"Mul", SizeExpr::Kind::Mul},
        {"Div", SizeExpr::Kind::FloorDiv}};
    auto operand = [&](const Val& v) {
      if (v.kind == Val::Kind::Tensor) unsupported(op + " of a size and a computed tensor");
      if (v.kind == Val::Kind::Data && v.data.is_floating_point()) unsupported(op + " of a size and a non-integer number");
      return sizesOf(v, op);
    };
    SizeList x = operand(a), y = operand(b), out;
    const size_t count = std::max(x.size(), y.size());
    if ((x.size() != 1 && x.size() != count) || (y.size() != 1 && y.size() != count)) {
      unsupported(op + " of size vectors of different lengths");
    }
    for (size_t k = 0; k < count; ++k) {
      out.push_back(SizeExpr::binary(kinds.at(op), x[x.size() == 1 ? 0 : k], y[y.size() == 1 ? 0 : k]));
    }
    const bool scalar = (a.kind != Val::Kind::Sizes || a.scalar) && (b.kind != Val::Kind::Sizes || b.scalar);
    return setOut(n, Val::ofSizes(out, scalar));
  }
  if (a.kind == Val::Kind::Data && b.kind == Val::Kind::Data) {
    at::Tensor out = op == "Add" ? a.data + b.data
                   : op == "Sub" ? a.data - b.data
                   : op == "Mul" ? a.data * b.data
                   : (a.data.is_floating_point() ? a.data / b.data : at::div(a.data, b.data, "trunc"));
    return setOut(n, Val::ofData(out, n.output(0)));
  }
  const std::string kind = "aten::" + std::string(op == "Add" ? "add" : op == "Sub" ? "sub" : op == "Mul" ? "mul" : "div");
  Call call{kind, {Arg::of(a), Arg::of(b)}};
  if (op == "Add" || op == "Sub") call.args.push_back(Arg::integer(1));
  emit(n, call);
}

// Comparisons of sizes with constants, decided at import (a traced expand's -1 handling).
void OnnxImporter::equal(const onnx::NodeProto& n) {
  const Val &a = in(n, 0), &b = in(n, 1);
  if (a.kind == Val::Kind::Data && b.kind == Val::Kind::Data) return setOut(n, Val::ofData(at::eq(a.data, b.data)));
  if (a.kind == Val::Kind::Tensor || b.kind == Val::Kind::Tensor) unsupported("Equal of a computed tensor");
  SizeList x = sizesOf(a, "Equal"), y = sizesOf(b, "Equal");
  const size_t count = std::max(x.size(), y.size());
  std::vector<uint8_t> out;
  for (size_t k = 0; k < count; ++k) {
    const SizeExpr &p = x[x.size() == 1 ? 0 : k], &q = y[y.size() == 1 ? 0 : k];
    if (p.isConstant() && q.isConstant()) {
      out.push_back(p.constantValue() == q.constantValue());
    } else if ((p.isConstant() && p.constantValue() < 0) || (q.isConstant() && q.constantValue() < 0)) {
      out.push_back(false);  // a size is never negative
    } else {
      unsupported("Equal of a size that depends on the input");
    }
  }
  at::Tensor t = at::tensor(std::vector<int64_t>(out.begin(), out.end())).to(at::kBool);
  setOut(n, Val::ofData(t));
}

void OnnxImporter::where(const onnx::NodeProto& n) {
  const Val &cond = in(n, 0), &a = in(n, 1), &b = in(n, 2);
  if (cond.kind != Val::Kind::Data) unsupported("Where with a condition computed in the forward");
  if (a.kind == Val::Kind::Data && b.kind == Val::Kind::Data) {
    return setOut(n, Val::ofData(at::where(cond.data.to(at::kBool), a.data, b.data)));
  }
  if (a.kind == Val::Kind::Tensor || b.kind == Val::Kind::Tensor) unsupported("Where of a computed tensor");
  std::vector<int64_t> c = constInts(cond, "Where");
  SizeList x = sizesOf(a, "Where"), y = sizesOf(b, "Where"), out;
  for (size_t k = 0; k < c.size(); ++k) out.push_back(c[k] ? x[x.size() == 1 ? 0 : k] : y[y.size() == 1 ? 0 : k]);
  setOut(n, Val::ofSizes(out));
}

void OnnxImporter::constantOfShape(const onnx::NodeProto& n) {
  std::vector<int64_t> shape = constInts(in(n, 0), "ConstantOfShape shape");
  at::Tensor value = at::zeros({1}, at::kFloat);
  if (const auto* a = attr(n, "value")) value = tensorFromProto(a->t(), folder_).reshape({1});
  setOut(n, Val::ofData(value.expand(shape).clone(), n.output(0)));
}

// Slices of size vectors and of constants (a slice of a computed tensor needs issue 24's op).
void OnnxImporter::slice(const onnx::NodeProto& n) {
  const Val& x = in(n, 0);
  if (x.kind == Val::Kind::Tensor) return sliceTensor(n);
  std::vector<int64_t> starts = constInts(in(n, 1), "Slice starts"), ends = constInts(in(n, 2), "Slice ends");
  std::vector<int64_t> axes = hasIn(n, 3) ? constInts(in(n, 3), "Slice axes") : std::vector<int64_t>{};
  std::vector<int64_t> steps = hasIn(n, 4) ? constInts(in(n, 4), "Slice steps") : std::vector<int64_t>{};
  if (axes.empty()) for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (x.kind == Val::Kind::Data) {
    at::Tensor t = x.data;
    for (size_t k = 0; k < axes.size(); ++k) {
      const int64_t dim = axes[k] < 0 ? axes[k] + t.dim() : axes[k], size = t.size(dim);
      auto clampIndex = [&](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + size : i, 0, size); };
      if (steps[k] != 1) unsupported("Slice with a step other than 1");
      t = t.slice(dim, clampIndex(starts[k]), std::max(clampIndex(starts[k]), clampIndex(ends[k])));
    }
    return setOut(n, Val::ofData(t, n.output(0)));
  }
  if (x.kind == Val::Kind::Sizes && axes.size() == 1 && (axes[0] == 0 || axes[0] == -1) && steps[0] == 1) {
    const int64_t size = static_cast<int64_t>(x.sizes.size());
    auto clampIndex = [&](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + size : i, 0, size); };
    const int64_t from = clampIndex(starts[0]), to = std::max(from, clampIndex(ends[0]));
    return setOut(n, Val::ofSizes(SizeList(x.sizes.begin() + from, x.sizes.begin() + to)));
  }
  unsupported("Slice of a computed tensor");
}

// --- tensor ops: the TorchScript call a trace of the same module records ----------------------

// Slice of a computed tensor: one aten::slice(x, dim, start, end, step) per axis, as x[a:b, c:d:e]
// traces. Bounds computed from sizes (torch.chunk's export) must be sizes the model fixes.
void OnnxImporter::sliceTensor(const onnx::NodeProto& n) {
  std::vector<int64_t> starts = staticInts(in(n, 1), "Slice starts"), ends = staticInts(in(n, 2), "Slice ends");
  std::vector<int64_t> axes = hasIn(n, 3) ? constInts(in(n, 3), "Slice axes") : std::vector<int64_t>{};
  std::vector<int64_t> steps = hasIn(n, 4) ? constInts(in(n, 4), "Slice steps") : std::vector<int64_t>{};
  if (axes.empty()) for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
    unsupported("Slice with bound lists of different lengths");
  }
  Val current = in(n, 0);
  for (size_t k = 0; k < axes.size(); ++k) {
    current = make(n, {"aten::slice", {Arg::of(current), Arg::integer(axes[k]), Arg::integer(starts[k]),
                                       Arg::integer(ends[k]), Arg::integer(steps[k])}}).at(0);
  }
  setOut(n, current);
}

// Reshape: ONNX's 0 keeps the input's size there (allowzero unset); a trace records aten::view.
void OnnxImporter::reshape(const onnx::NodeProto& n) {
  const Val& x = in(n, 0);
  if (x.kind == Val::Kind::Data) {
    return setOut(n, Val::ofData(x.data.reshape(constInts(in(n, 1), "Reshape of a constant")), n.output(0)));
  }
  if (x.kind == Val::Kind::Sizes) {
    const std::vector<int64_t> target = constInts(in(n, 1), "Reshape of sizes");
    const int64_t count = x.scalar ? 1 : static_cast<int64_t>(x.sizes.size());
    if (target.size() != 1 || (target[0] != -1 && target[0] != count)) unsupported("Reshape of a size vector to other than 1-d");
    return setOut(n, Val::ofSizes(x.sizes));
  }
  if (attrInt(n, "allowzero", 0) != 0) unsupported("Reshape with allowzero=1");
  SizeList shape = sizesOf(in(n, 1), "Reshape target");
  const int id = tensorOf(x, "Reshape");
  for (size_t k = 0; k < shape.size(); ++k) {
    if (shape[k].isConstant() && shape[k].constantValue() == 0) shape[k] = SizeExpr::dim(id, static_cast<int64_t>(k));
  }
  emit(n, {"aten::view", {Arg::of(x), Arg::sizeList(withFixedSizes(id, shape))}});
}

// A reshape target with each entry that does not depend on the inputs' sizes as its number, a -1
// too when the sizes it stands for are fixed: ShuffleNet's channel shuffle, view(n, -1, h, w) after
// view(n, g, c / g, h, w), keeps its channel count static, so a Slice after it (the next channel
// split) has static bounds and a static shape, as the trace's chunk has.
SizeList OnnxImporter::withFixedSizes(int input, SizeList shape) const {
  const ShapeInfo shapes(graph_);
  int64_t unknown = -1;
  MaybeSize others = constantSize(1);
  for (size_t k = 0; k < shape.size(); ++k) {
    if (shape[k].isConstant() && shape[k].constantValue() == -1) {
      unknown = static_cast<int64_t>(k);
      continue;
    }
    if (auto value = shape[k].isConstant() ? std::nullopt : shapes.fixedValue(shape[k])) shape[k] = SizeExpr::constant(*value);
    others = combineSizes(SizeExpr::Kind::Mul, others, shape[k]);
  }
  const auto& dims = shapes.dims(input);
  if (unknown < 0 || !dims) return shape;
  MaybeSize total = constantSize(1);
  for (const MaybeSize& d : *dims) total = combineSizes(SizeExpr::Kind::Mul, total, d);
  const MaybeSize count = combineSizes(SizeExpr::Kind::FloorDiv, total, others);
  if (auto value = count ? shapes.fixedValue(*count) : std::nullopt) shape[unknown] = SizeExpr::constant(*value);
  return shape;
}

// Expand broadcasts (a 1 keeps the input's size); aten::expand keeps it with -1.
void OnnxImporter::expand(const onnx::NodeProto& n) {
  const Val& x = in(n, 0);
  SizeList shape = sizesOf(in(n, 1), "Expand shape");
  const int64_t rank = rankOf(n, 0), count = static_cast<int64_t>(shape.size());
  auto isOne = [](const SizeExpr& e) { return e.isConstant() && e.constantValue() == 1; };
  // A traced repeat broadcasts its input to ones first: nothing moves.
  if (count <= rank && std::all_of(shape.begin(), shape.end(), isOne)) return setOut(n, x);
  if (count < rank) {
    shape.insert(shape.begin(), static_cast<size_t>(rank - count), SizeExpr::constant(-1));
  }
  const int64_t lead = static_cast<int64_t>(shape.size()) - rank;
  for (int64_t k = lead; k < static_cast<int64_t>(shape.size()); ++k) {
    if (shape[k].isConstant() && shape[k].constantValue() == 1) shape[k] = SizeExpr::constant(-1);
  }
  emit(n, {"aten::expand", {Arg::of(x), Arg::sizeList(shape)}});
}

void OnnxImporter::tile(const onnx::NodeProto& n) {
  emit(n, {"aten::repeat", {Arg::of(in(n, 0)), Arg::sizeList(sizesOf(in(n, 1), "Tile repeats"))}});
}

// ONNX pads are (begin…, end…); ATen's are one per spatial axis, on both sides.
std::vector<int64_t> OnnxImporter::symmetricPads(const onnx::NodeProto& n, size_t spatial) {
  const std::string autoPad = attr(n, "auto_pad") ? attr(n, "auto_pad")->s() : "NOTSET";
  if (autoPad != "NOTSET" && autoPad != "VALID") unsupported(n.op_type() + " with auto_pad=" + autoPad);
  std::vector<int64_t> pads = attrInts(n, "pads", std::vector<int64_t>(2 * spatial, 0));
  if (pads.size() != 2 * spatial) unsupported(n.op_type() + " with " + std::to_string(pads.size()) + " pads");
  std::vector<int64_t> out(pads.begin(), pads.begin() + spatial);
  for (size_t k = 0; k < spatial; ++k) {
    if (pads[k] != pads[k + spatial]) unsupported(n.op_type() + " with asymmetric padding");
  }
  return out;
}

// aten::_convolution(x, weight, bias, stride, padding, dilation, transposed, output_padding, groups)
void OnnxImporter::conv(const onnx::NodeProto& n) {
  const Val& w = in(n, 1);
  const size_t spatial = w.kind == Val::Kind::Data && w.data.dim() > 2 ? w.data.dim() - 2 : 2;
  std::vector<int64_t> ones(spatial, 1);
  emit(n, {"aten::_convolution",
           {Arg::of(in(n, 0)), Arg::of(w), hasIn(n, 2) ? Arg::of(in(n, 2)) : Arg::none(),
            Arg::list(attrInts(n, "strides", ones)), Arg::list(symmetricPads(n, spatial)),
            Arg::list(attrInts(n, "dilations", ones)), Arg::flag(false), Arg::list(std::vector<int64_t>(spatial, 0)),
            Arg::integer(attrInt(n, "group", 1))}});
}

// Gemm(A, B, C) = A·Bᵀ + C (transB=1, as nn.Linear exports): aten::linear(x, weight, bias).
void OnnxImporter::gemm(const onnx::NodeProto& n) {
  if (attrFloat(n, "alpha", 1) != 1 || attrFloat(n, "beta", 1) != 1 || attrInt(n, "transA", 0) != 0) {
    unsupported("Gemm with alpha, beta or transA other than the defaults");
  }
  Val w = in(n, 1);
  if (w.kind != Val::Kind::Data) unsupported("Gemm with a weight computed in the forward");
  if (attrInt(n, "transB", 0) == 0) w = Val::ofData(w.data.t().contiguous(), w.name);
  Arg bias = Arg::none();
  if (hasIn(n, 2)) {
    const Val& c = in(n, 2);
    if (c.kind != Val::Kind::Data || c.data.dim() > 1) unsupported("Gemm with a bias that is not a stored vector");
    bias = Arg::of(c.data.dim() == 1 ? c : Val::ofData(c.data.expand({w.data.size(0)}).contiguous(), c.name));
  }
  emit(n, {"aten::linear", {Arg::of(in(n, 0)), Arg::of(w), bias}});
}

// MatMul by a stored matrix (and the Add of a stored bias after it): aten::linear; of two computed
// tensors (attention's QKᵀ and attention·V): aten::bmm when both are 3-d (nn.MultiheadAttention
// calls torch.bmm, and its layers are named so in a trace), else aten::matmul.
void OnnxImporter::matMul(const onnx::NodeProto& n) {
  const Val& w = in(n, 1);
  if (w.kind != Val::Kind::Data || w.data.dim() != 2) {
    if (in(n, 0).kind == Val::Kind::Data) unsupported("MatMul of a stored tensor by a computed one");
    const bool batched = rankOf(n, 0) == 3 && rankOf(n, 1) == 3;
    return emit(n, {batched ? "aten::bmm" : "aten::matmul", {Arg::of(in(n, 0)), Arg::of(w)}});
  }
  Arg bias = Arg::none();
  const onnx::NodeProto* add = patterns_.biasAddOf.count(&n) ? patterns_.biasAddOf.at(&n) : nullptr;
  if (add) {
    const Val& c = values_.at(add->input(0) == n.output(0) ? add->input(1) : add->input(0));
    if (c.data.dim() != 1 || c.data.size(0) != w.data.size(1)) unsupported("MatMul + Add of a bias that is not a vector");
    bias = Arg::of(c);
  }
  emit(n, {"aten::linear", {Arg::of(in(n, 0)), Arg::of(Val::ofData(w.data.t().contiguous(), w.name)), bias}});
  if (add) values_[add->output(0)] = values_.at(n.output(0));
}

// aten::batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps, cudnn)
void OnnxImporter::batchNorm(const onnx::NodeProto& n) {
  if (attrInt(n, "training_mode", 0) != 0 || n.output_size() > 1) {
    unsupported("BatchNormalization in training mode (export the model after model.eval())");
  }
  emit(n, {"aten::batch_norm",
           {Arg::of(in(n, 0)), Arg::of(in(n, 1)), Arg::of(in(n, 2)), Arg::of(in(n, 3)), Arg::of(in(n, 4)),
            Arg::flag(false), Arg::number(attrFloat(n, "momentum", 0.9)), Arg::number(attrFloat(n, "epsilon", 1e-5)),
            Arg::flag(true)}});
}

void OnnxImporter::activation(const onnx::NodeProto& n) {
  static const std::map<std::string, std::string> kinds = {
      {"Relu", "aten::relu"}, {"Sigmoid", "aten::sigmoid"}, {"HardSwish", "aten::hardswish"},
      {"HardSigmoid", "aten::hardsigmoid"}};
  // HardSigmoid(x) = max(0, min(1, αx + β)); PyTorch's is α = 1/6, β = 1/2.
  if (n.op_type() == "HardSigmoid" &&
      (std::abs(attrFloat(n, "alpha", 0.2) - 1.0 / 6) > 1e-6 || std::abs(attrFloat(n, "beta", 0.5) - 0.5) > 1e-6)) {
    unsupported("HardSigmoid with alpha other than 1/6 or beta other than 1/2");
  }
  emit(n, {kinds.at(n.op_type()), {Arg::of(in(n, 0))}});
}

// Clip(x, min, max) with stored bounds: aten::hardtanh(x, min, max) with both (nn.ReLU6 and
// nn.Hardtanh export so), aten::clamp(x, min?, max?) with one.
void OnnxImporter::clip(const onnx::NodeProto& n) {
  auto bound = [&](int k, const char* name) -> Arg {
    if (opset_ < 11 && attr(n, name)) return Arg::number(attrFloat(n, name, 0));
    if (!hasIn(n, k)) return Arg::none();
    const Val& v = in(n, k);
    if (v.kind != Val::Kind::Data || v.data.numel() != 1) unsupported("Clip with a bound computed in the forward");
    return Arg::number(v.data.item<double>());
  };
  const Arg lo = bound(1, "min"), hi = bound(2, "max");
  const bool both = lo.kind != Arg::Kind::None && hi.kind != Arg::Kind::None;
  emit(n, {both ? "aten::hardtanh" : "aten::clamp", {Arg::of(in(n, 0)), lo, hi}});
}

// Split along an axis: aten::chunk when the parts are chunk's (equal, the last one the rest), as
// torch.chunk exports; else one aten::slice per part.
void OnnxImporter::split(const onnx::NodeProto& n) {
  const Val& x = in(n, 0);
  const int64_t rank = rankOf(n, 0);
  int64_t axis = attrInt(n, "axis", 0);
  if (axis < 0) axis += rank;
  const int64_t parts = n.output_size();
  std::vector<int64_t> sizes = hasIn(n, 1) ? staticInts(in(n, 1), "Split sizes") : attrInts(n, "split");
  if (sizes.empty()) {
    const int64_t total = staticInts(Val::ofSizes({SizeExpr::dim(tensorOf(x, "Split"), axis)}), "Split of a size")[0];
    if (total % parts) unsupported("Split into unequal parts without sizes");
    sizes.assign(parts, total / parts);
  }
  if (static_cast<int64_t>(sizes.size()) != parts) unsupported("Split with " + std::to_string(sizes.size()) + " sizes for " + std::to_string(parts) + " outputs");
  int64_t total = 0;
  for (int64_t v : sizes) total += v;
  const int64_t each = (total + parts - 1) / parts;
  bool chunks = total > 0;
  for (int64_t k = 0; k < parts; ++k) chunks &= sizes[k] == (k + 1 < parts ? each : total - each * (parts - 1)) && sizes[k] > 0;
  if (chunks) {
    std::vector<Val> items = make(n, {"aten::chunk", {Arg::of(x), Arg::integer(parts), Arg::integer(axis)}});
    for (int64_t k = 0; k < parts; ++k) setOut(n, items.at(k), static_cast<int>(k));
    return;
  }
  int64_t start = 0;
  for (int64_t k = 0; k < parts; ++k) {
    setOut(n, make(n, {"aten::slice", {Arg::of(x), Arg::integer(axis), Arg::integer(start), Arg::integer(start + sizes[k]), Arg::integer(1)}}).at(0), static_cast<int>(k));
    start += sizes[k];
  }
}

// aten::max_pool2d(x, kernel, stride, padding, dilation, ceil_mode)
void OnnxImporter::maxPool(const onnx::NodeProto& n) {
  if (n.output_size() > 1 && !n.output(1).empty()) unsupported("MaxPool with its indices output");
  std::vector<int64_t> kernel = attrInts(n, "kernel_shape");
  std::vector<int64_t> ones(kernel.size(), 1);
  emit(n, {"aten::max_pool2d",
           {Arg::of(in(n, 0)), Arg::list(kernel), Arg::list(attrInts(n, "strides", ones)),
            Arg::list(symmetricPads(n, kernel.size())), Arg::list(attrInts(n, "dilations", ones)),
            Arg::flag(attrInt(n, "ceil_mode", 0) != 0)}});
}

// aten::avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override);
// a Pad before it is the padding the trace counted (count_include_pad=True).
void OnnxImporter::averagePool(const onnx::NodeProto& n) {
  std::vector<int64_t> kernel = attrInts(n, "kernel_shape");
  std::vector<int64_t> ones(kernel.size(), 1);
  std::vector<int64_t> padding = symmetricPads(n, kernel.size());
  bool countPadding = attrInt(n, "count_include_pad", 0) != 0;
  const onnx::NodeProto* padNode = patterns_.padOf.count(&n) ? patterns_.padOf.at(&n) : nullptr;
  Val x = in(padNode ? *padNode : n, 0);
  if (padNode) {
    const int64_t rank = static_cast<int64_t>(kernel.size()) + 2;
    std::vector<int64_t> pads = padsOf(*padNode, rank);
    for (size_t k = 0; k < kernel.size(); ++k) {
      if (padding[k] != 0) unsupported("Pad before an AveragePool that pads too");
      padding[k] = pads[k + 2];
    }
    countPadding = true;
  }
  emit(n, {"aten::avg_pool2d",
           {Arg::of(x), Arg::list(kernel), Arg::list(attrInts(n, "strides", ones)), Arg::list(padding),
            Arg::flag(attrInt(n, "ceil_mode", 0) != 0), Arg::flag(countPadding), Arg::none()}});
}

// A Pad's amounts (begin…, end…) as one per axis, both sides equal, none on the batch and channel axes.
std::vector<int64_t> OnnxImporter::padsOf(const onnx::NodeProto& padNode, int64_t rank) {
  if (padNode.input_size() > 3 && !padNode.input(3).empty()) unsupported("Pad with axes");
  std::vector<int64_t> pads = constInts(in(padNode, 1), "Pad amounts");
  if (static_cast<int64_t>(pads.size()) != 2 * rank) unsupported("Pad with " + std::to_string(pads.size()) + " amounts");
  std::vector<int64_t> out(pads.begin(), pads.begin() + rank);
  for (int64_t k = 0; k < rank; ++k) {
    if (pads[k] != pads[k + rank] || (k < 2 && pads[k] != 0)) unsupported("Pad other than equal zero padding of the spatial axes");
  }
  return out;
}

// A Pad that adds nothing passes through; padding elsewhere than before an average pool is not supported.
void OnnxImporter::pad(const onnx::NodeProto& n) {
  std::vector<int64_t> pads = constInts(in(n, 1), "Pad amounts");
  if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; })) {
    unsupported("Pad (only before an AveragePool, or of zero amounts)");
  }
  setOut(n, in(n, 0));
}

void OnnxImporter::globalAveragePool(const onnx::NodeProto& n) {
  if (rankOf(n, 0) != 4) unsupported("GlobalAveragePool of a tensor that is not (N, C, H, W)");
  emit(n, {"aten::adaptive_avg_pool2d", {Arg::of(in(n, 0)), Arg::list({1, 1})}});
}

// Flatten(axis) gives 2 dimensions: aten::flatten(x, axis, -1) when axis is 1, else a reshape to
// (the product of the leading sizes, -1).
void OnnxImporter::flatten(const onnx::NodeProto& n) {
  const int64_t rank = rankOf(n, 0);
  int64_t axis = attrInt(n, "axis", 1);
  if (axis < 0) axis += rank;
  if (axis == 1) return emit(n, {"aten::flatten", {Arg::of(in(n, 0)), Arg::integer(1), Arg::integer(-1)}});
  const int id = tensorOf(in(n, 0), "Flatten");
  SizeExpr lead = SizeExpr::constant(1);
  for (int64_t d = 0; d < axis; ++d) lead = SizeExpr::binary(SizeExpr::Kind::Mul, lead, SizeExpr::dim(id, d));
  emit(n, {"aten::view", {Arg::of(in(n, 0)), Arg::sizeList({lead, SizeExpr::constant(-1)})}});
}

void OnnxImporter::transpose(const onnx::NodeProto& n) {
  std::vector<int64_t> perm = attrInts(n, "perm");
  if (perm.empty()) {
    for (int64_t d = rankOf(n, 0) - 1; d >= 0; --d) perm.push_back(d);
  }
  const Val& x = in(n, 0);
  if (x.kind == Val::Kind::Data) return setOut(n, Val::ofData(x.data.permute(perm).contiguous(), n.output(0)));
  emit(n, {"aten::permute", {Arg::of(x), Arg::list(perm)}});
}

// aten::sum / aten::mean(x, dims, keepdim, dtype); axes are an input of ReduceSum from opset 13.
void OnnxImporter::reduce(const onnx::NodeProto& n) {
  std::vector<int64_t> axes = hasIn(n, 1) ? constInts(in(n, 1), n.op_type() + " axes") : attrInts(n, "axes");
  if (axes.empty() && attrInt(n, "noop_with_empty_axes", 0)) return setOut(n, in(n, 0));
  const bool keep = attrInt(n, "keepdims", 1) != 0;
  const std::string kind = n.op_type() == "ReduceSum" ? "aten::sum" : "aten::mean";
  if (axes.empty()) {
    for (int64_t d = 0; d < rankOf(n, 0); ++d) axes.push_back(d);
  }
  emit(n, {kind, {Arg::of(in(n, 0)), Arg::list(axes), Arg::flag(keep), Arg::none()}});
}

// aten::softmax(x, dim, dtype): ONNX's Softmax from opset 13 normalizes along one axis, as torch's.
void OnnxImporter::softmax(const onnx::NodeProto& n) {
  emit(n, {"aten::softmax", {Arg::of(in(n, 0)), Arg::integer(attrInt(n, "axis", -1)), Arg::none()}});
}

// LayerNormalization (opset 17) over the axes from `axis` on, its scale and bias stored.
void OnnxImporter::layerNormalization(const onnx::NodeProto& n) {
  for (int k = 1; k < n.output_size(); ++k) {
    if (!n.output(k).empty()) unsupported("LayerNormalization with its mean or inverse deviation as outputs");
  }
  const int64_t rank = rankOf(n, 0);
  int64_t axis = attrInt(n, "axis", -1);
  if (axis < 0) axis += rank;
  const Val* bias = hasIn(n, 2) ? &in(n, 2) : nullptr;
  emitLayerNorm(n, in(n, 0), rank - axis, &in(n, 1), bias, attrFloat(n, "epsilon", 1e-5));
}

// The ReduceMean/Sub/Pow/Sqrt/Div pattern of opsets before 17 (onnx_patterns.h), imported at its
// last node.
void OnnxImporter::layerNormPattern(const onnx::NodeProto& n, const LayerNormPattern& p) {
  const Val* weight = p.weight.empty() ? nullptr : &values_.at(p.weight);
  const Val* bias = p.bias.empty() ? nullptr : &values_.at(p.bias);
  emitLayerNorm(n, values_.at(p.input), p.axes, weight, bias, p.eps);
}

// aten::layer_norm(x, normalized_shape, weight, bias, eps, cudnn_enable): the normalized shape is
// the weight's, or (without one) the static sizes of x's last `axes` dimensions.
void OnnxImporter::emitLayerNorm(const onnx::NodeProto& n, const Val& x, int64_t axes, const Val* weight, const Val* bias,
                                 double eps) {
  for (const Val* v : {weight, bias}) {
    if (v && v->kind != Val::Kind::Data) unsupported("layer norm with a weight or bias computed in the forward");
  }
  std::vector<int64_t> shape;
  if (weight) {
    shape = weight->data.sizes().vec();
  } else {
    const int id = tensorOf(x, "layer norm");
    const int64_t rank = ShapeInfo(graph_).rank(id);
    if (rank < axes) unsupported("layer norm of a tensor of unknown rank");
    SizeList sizes;
    for (int64_t d = rank - axes; d < rank; ++d) sizes.push_back(SizeExpr::dim(id, d));
    shape = staticInts(Val::ofSizes(sizes), "layer norm over sizes");
  }
  if (static_cast<int64_t>(shape.size()) != axes) unsupported("layer norm whose weight does not span its normalized axes");
  emit(n, {"aten::layer_norm", {Arg::of(x), Arg::list(shape), weight ? Arg::of(*weight) : Arg::none(),
                                bias ? Arg::of(*bias) : Arg::none(), Arg::number(eps), Arg::flag(true)}});
}

}  // namespace

std::vector<std::string> onnxOpTypes() { return OnnxImporter::opTypes(); }

Graph importOnnx(const std::string& path) {
  const onnx::ModelProto model = readModel(path);
  Graph graph = OnnxImporter(model, folderOf(path)).run();
  markGateProducts(graph);
  return graph;
}

std::vector<UnsupportedUse> unsupportedOnnxOperators(const std::string& path) {
  const onnx::ModelProto model = readModel(path);
  return OnnxImporter(model, folderOf(path)).survey();
}

}  // namespace lrp
