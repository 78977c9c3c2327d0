#include "structural.h"

namespace lrp {

namespace {

bool isGate(const Graph& graph, int id) {
  while (true) {
    const Node& n = graph.node(id);
    if (n.op == Op::Sigmoid) return true;
    if (n.op != Op::Reshape && n.op != Op::Expand && n.op != Op::Unsqueeze && n.op != Op::Flatten) return false;
    id = n.inputs.at(0);
  }
}

}  // namespace

void markGateProducts(Graph& graph) {
  for (int id = 0; id < graph.size(); ++id) {
    Node& n = graph.node(id);
    if (n.op != Op::Mul || n.inputs.size() != 2) continue;
    bool first = isGate(graph, n.inputs[0]), second = isGate(graph, n.inputs[1]);
    if (first != second) n.attrs.set("gate", int64_t(first ? 0 : 1));
  }
}

}  // namespace lrp
