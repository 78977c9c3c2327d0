#include "op_table.h"

#include <algorithm>

#include "../errors.h"
#include "op_families.h"

namespace lrp {

namespace {

struct Table {
  std::map<Op, OpInfo> byOp;
  std::map<std::string, Op> byTorchScriptKind;
};

Table build() {
  Table table;
  for (auto family : {sourceOps, layerOps, activationOps, poolingOps, arithmeticOps, shapeOps, selectionOps,
                      normalizationOps, attentionOps}) {
    for (OpInfo& info : family()) {
      for (const auto& kind : info.torchScriptKinds) {
        if (!table.byTorchScriptKind.emplace(kind, info.op).second) {
          throw Error(ErrorCode::Internal, "TorchScript op " + kind + " is registered twice");
        }
      }
      Op op = info.op;
      if (!table.byOp.emplace(op, std::move(info)).second) {
        throw Error(ErrorCode::Internal, std::string("operator ") + table.byOp.at(op).name + " is registered twice");
      }
    }
  }
  return table;
}

const Table& table() {
  static const Table instance = build();
  return instance;
}

}  // namespace

const OpInfo& opInfo(Op op) {
  auto it = table().byOp.find(op);
  if (it == table().byOp.end()) {
    throw Error(ErrorCode::Internal, "operator " + std::to_string(static_cast<int>(op)) + " has no table entry");
  }
  return it->second;
}

const char* opName(Op op) { return opInfo(op).name; }

std::vector<const OpInfo*> registeredOps() {
  std::vector<const OpInfo*> out;
  for (const auto& [op, info] : table().byOp) out.push_back(&info);
  return out;
}

const OpInfo* opForTorchScript(const std::string& kind) {
  auto it = table().byTorchScriptKind.find(kind);
  return it == table().byTorchScriptKind.end() ? nullptr : &opInfo(it->second);
}

ImportedNode importFromTorchScript(const OpInfo& info, const TorchScriptArgs& args) {
  if (info.fromTorchScript) return info.fromTorchScript(args);
  ImportedNode node{info.op};
  for (const ArgAttr& attr : info.torchScriptAttrs) {
    switch (attr.kind) {
      case ArgAttr::Integer: node.attrs.set(attr.key, args.integer(attr.index)); break;
      case ArgAttr::Ints: node.attrs.set(attr.key, args.ints(attr.index)); break;
      case ArgAttr::Sizes: node.attrs.set(attr.key, args.sizes(attr.index)); break;
    }
  }
  node.inputs = {args.tensor(0)};
  return node;
}

Category nodeCategory(const Node& node) {
  const OpInfo& info = opInfo(node.op);
  if (!info.categoryOf) return info.category;
  const Category category = info.categoryOf(node);
  const auto& others = info.otherCategories;
  if (category != info.category && std::find(others.begin(), others.end(), category) == others.end()) {
    // The table reports `category` and `otherCategories` (docs/operators.md): they must cover it.
    throw Error(ErrorCode::Internal, std::string("operator ") + info.name + " gives category " +
                                         categoryName(category) + ", which its table entry does not list");
  }
  return category;
}

SignFlow nodeSign(const Node& node) {
  const OpInfo& info = opInfo(node.op);
  return info.signOf ? info.signOf(node) : info.sign;
}

InputRequirement inputRequirement(const Node& node) {
  const OpInfo& info = opInfo(node.op);
  return info.inputRequirement ? info.inputRequirement(node) : InputRequirement{};
}

at::Tensor ForwardArgs::optionalParam(const std::string& key) const {
  auto it = params.find(key);
  return it == params.end() ? at::Tensor() : it->second;
}

const char* categoryName(Category category) {
  switch (category) {
    case Category::Input: return "input";
    case Category::Constant: return "constant";
    case Category::Convolution: return "convolution";
    case Category::Dense: return "dense";
    case Category::BatchNorm: return "batch-norm";
    case Category::Activation: return "activation";
    case Category::ThreshRelu: return "thresh-relu";
    case Category::MaxPooling: return "max-pooling";
    case Category::AveragePooling: return "average-pooling";
    case Category::Sum: return "sum";
    case Category::Elementwise: return "elementwise";
    case Category::Product: return "product";
    case Category::Concat: return "concat";
    case Category::Reshape: return "reshape";
    case Category::Broadcast: return "broadcast";
    case Category::LayerNorm: return "layer-norm";
    case Category::Softmax: return "softmax";
    case Category::LogSoftmax: return "log-softmax";
    case Category::AttentionProduct: return "attention-product";
  }
  return nullptr;
}

const char* relevanceName(DefaultRelevance relevance) {
  switch (relevance) {
    case DefaultRelevance::Source: return "source";
    case DefaultRelevance::LayerRule: return "layer-rule";
    case DefaultRelevance::ActiveMask: return "active-mask";
    case DefaultRelevance::ArgmaxRouting: return "argmax-routing";
    case DefaultRelevance::Gate: return "gate";
    case DefaultRelevance::Gradient: return "gradient";
  }
  return "unknown";
}

std::vector<Category> allCategories() {
  std::vector<Category> out;
  for (int k = 0; categoryName(static_cast<Category>(k)); ++k) out.push_back(static_cast<Category>(k));
  return out;
}

}  // namespace lrp
