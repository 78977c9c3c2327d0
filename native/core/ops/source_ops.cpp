// Graph inputs, constant tensors and tensors computed from sizes alone (size_program.h): nodes
// without inputs, where relevance stops. An input's
// static shape comes from its readers (shape_inference.cpp), not from a rule here.
#include "../errors.h"
#include "../size_program.h"
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

// Replays the node's TorchScript with this run's sizes; a floating result takes the plan's dtype and
// device (its "like" parameter was moved there with the others).
at::Tensor fromSizesForward(const ForwardArgs& a) {
  at::Tensor value =
      runSizeProgram(a.node.attrs.program("program"), evaluateSizes(a.node.attrs.sizes("sizes"), a.sizeOf), a.node.name);
  const at::Tensor& like = a.param("like");
  return value.is_floating_point() ? value.to(like.options()) : value.to(like.device());
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
          source(Op::Constant, "constant", Category::Constant, constantForward, constantShape),
          source(Op::FromSizes, "from_sizes", Category::Constant, fromSizesForward, nullptr)};
}

}  // namespace lrp
