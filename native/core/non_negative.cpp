#include "non_negative.h"

namespace lrp {

std::vector<bool> nonNegativeByConstruction(const Graph& graph) {
  const auto& nodes = graph.nodes();
  std::vector<bool> out(nodes.size(), false);
  for (size_t id = 0; id < nodes.size(); ++id) {
    const Node& node = nodes[id];
    bool inputs = !node.inputs.empty();
    for (int input : node.inputs) inputs = inputs && input < static_cast<int>(id) && out[input];
    switch (node.op) {
      case Op::Relu:
      case Op::Sigmoid:
        out[id] = true;
        break;
      case Op::MaxPool2d:
      case Op::AvgPool2d:
      case Op::AdaptiveAvgPool2d:
      case Op::Flatten:
      case Op::Reshape:
      case Op::Unsqueeze:
      case Op::Expand:
      case Op::Repeat:
      case Op::Permute:
      case Op::Transpose:
      case Op::Sum:
      case Op::Mean:
      case Op::Cat:
        out[id] = inputs;
        break;
      case Op::Add:
      case Op::Mul:
        out[id] = inputs && node.inputs.size() == 2;  // of two computed tensors; an operand may be negative
        break;
      default:
        break;
    }
  }
  return out;
}

}  // namespace lrp
