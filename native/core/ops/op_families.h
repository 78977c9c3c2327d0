// The operator families; each registers its operators' table entries (op_table.h). A new
// operator goes into the family it belongs to, or a new family listed in op_table.cpp. Which
// operators each holds: its file, or docs/operators.md (generated from the table).
#pragma once

#include <string>
#include <vector>

#include "op_table.h"

namespace lrp {

std::vector<OpInfo> sourceOps();
std::vector<OpInfo> layerOps();
std::vector<OpInfo> activationOps();
std::vector<OpInfo> poolingOps();
std::vector<OpInfo> arithmeticOps();
std::vector<OpInfo> shapeOps();
std::vector<OpInfo> selectionOps();
std::vector<OpInfo> normalizationOps();
std::vector<OpInfo> attentionOps();

// Helpers shared by families.

// An entry with the parts most operators have: a forward, a shape rule, and an importer from the
// TorchScript op aten::<name>.
inline OpInfo atenOp(Op op, const char* name, Category category, ForwardFn forward, ShapeFn shape, ImportFn import) {
  OpInfo info(op, name, category);
  info.forward = forward;
  info.shape = shape;
  info.torchScriptKinds = {std::string("aten::") + name};
  info.fromTorchScript = import;
  return info;
}

// The same for an operator imported as "input 0 is the tensor, `attrs` are attributes".
inline OpInfo atenOp(Op op, const char* name, Category category, ForwardFn forward, ShapeFn shape,
                     std::vector<ArgAttr> attrs) {
  OpInfo info = atenOp(op, name, category, forward, shape, ImportFn{nullptr});
  info.torchScriptAttrs = std::move(attrs);
  return info;
}

inline MaybeShape sameShape(const ShapeArgs& a) { return a.in(); }

// A one-tensor TorchScript op imported as `kOp` with no attributes (aten::relu(x), aten::sigmoid_(x)).
template <Op kOp>
ImportedNode importUnary(const TorchScriptArgs& a) {
  if (a.count() != 1) a.unsupported(a.kind());
  ImportedNode node{kOp};
  node.inputs = {a.tensor(0)};
  return node;
}

// The TorchScript op `aten::<name>` and its in-place variant `aten::<name>_`.
inline std::vector<std::string> atenWithInPlace(const std::string& name) {
  return {"aten::" + name, "aten::" + name + "_"};
}

}  // namespace lrp
