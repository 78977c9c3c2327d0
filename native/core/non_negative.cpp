#include "non_negative.h"

#include "ops/op_table.h"

namespace lrp {

std::vector<bool> nonNegativeByConstruction(const Graph& graph) {
  const auto& nodes = graph.nodes();
  std::vector<bool> out(nodes.size(), false);
  for (size_t id = 0; id < nodes.size(); ++id) {
    const Node& node = nodes[id];
    bool inputs = !node.inputs.empty();
    for (int input : node.inputs) inputs = inputs && input < static_cast<int>(id) && out[input];
    switch (nodeSign(node)) {
      case SignFlow::NonNegative: out[id] = true; break;
      case SignFlow::FromInputs: out[id] = inputs; break;
      case SignFlow::FromComputed: out[id] = inputs && node.inputs.size() == 2; break;
      case SignFlow::Unknown: break;
    }
  }
  return out;
}

}  // namespace lrp
