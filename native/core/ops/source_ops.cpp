// Graph inputs and constant tensors: nodes without inputs, where relevance stops. An input's
// static shape comes from its readers (shape_inference.cpp), not from a rule here.
#include "../errors.h"
#include "op_families.h"

namespace lrp {

namespace {

at::Tensor notExecuted(const ForwardArgs&) { throw Error(ErrorCode::Internal, "input nodes are not executed"); }

at::Tensor constantForward(const ForwardArgs& a) { return a.param("value"); }

MaybeShape constantShape(const ShapeArgs& a) {
  StaticDims dims;
  for (int64_t s : a.node.param("value").sizes()) dims.push_back(constantSize(s));
  return dims;
}

// A node without inputs, where relevance stops.
OpInfo source(Op kind, const char* name, Category category, ForwardFn forward, ShapeFn shape) {
  OpInfo op(kind, name, category);
  op.minInputs = op.maxInputs = 0;
  op.relevance = DefaultRelevance::Source;
  op.forward = forward;
  op.shape = shape;
  return op;
}

}  // namespace

std::vector<OpInfo> sourceOps() {
  return {source(Op::Input, "input", Category::Input, notExecuted, nullptr),
          source(Op::Constant, "constant", Category::Constant, constantForward, constantShape)};
}

}  // namespace lrp
