// The operator families; each registers its operators' table entries (op_table.h). A new
// operator goes into the family it belongs to, or a new family listed in op_table.cpp.
#pragma once

#include <string>
#include <vector>

#include "op_table.h"

namespace lrp {

std::vector<OpInfo> sourceOps();      // input, constant
std::vector<OpInfo> layerOps();       // conv2d, linear, batch_norm
std::vector<OpInfo> activationOps();  // relu, thresh_relu, silu, sigmoid, hardswish, hardtanh, hardsigmoid, clamp
std::vector<OpInfo> poolingOps();     // max_pool2d, avg_pool2d, adaptive_avg_pool2d
std::vector<OpInfo> arithmeticOps();  // add, mul, cat, sum, mean
std::vector<OpInfo> shapeOps();       // flatten, reshape, unsqueeze, expand, repeat, permute, transpose
std::vector<OpInfo> selectionOps();   // chunk, select, slice

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
