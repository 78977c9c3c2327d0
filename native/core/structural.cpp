#include "structural.h"

#include "ops/op_table.h"

namespace lrp {

namespace {

bool isGate(const Graph& graph, int id) {
  while (true) {
    const Node& n = graph.node(id);
    const GateRole role = opInfo(n.op).gate;
    if (role == GateRole::Source) return true;
    if (role != GateRole::Carrier) return false;
    id = n.inputs.at(0);
  }
}

}  // namespace

void markGateProducts(Graph& graph) {
  for (int id = 0; id < graph.size(); ++id) {
    Node& n = graph.node(id);
    if (nodeCategory(n) != Category::Product) continue;
    bool first = isGate(graph, n.inputs[0]), second = isGate(graph, n.inputs[1]);
    if (first != second) n.attrs.set("gate", int64_t(first ? 0 : 1));
  }
}

}  // namespace lrp
