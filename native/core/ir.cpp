#include "ir.h"

#include "errors.h"
#include "ops/op_table.h"

#include <functional>

namespace lrp {

const AttrValue& Attributes::at(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw Error(ErrorCode::Internal, "missing attribute '" + key + "'");
  return it->second;
}

int64_t Attributes::i(const std::string& key) const { return std::get<int64_t>(at(key)); }
double Attributes::f(const std::string& key) const { return std::get<double>(at(key)); }
bool Attributes::b(const std::string& key) const { return std::get<bool>(at(key)); }
const std::vector<int64_t>& Attributes::ints(const std::string& key) const {
  return std::get<std::vector<int64_t>>(at(key));
}
const SizeList& Attributes::sizes(const std::string& key) const { return std::get<SizeList>(at(key)); }
const SizeProgram& Attributes::program(const std::string& key) const { return *std::get<ProgramRef>(at(key)); }

bool Node::hasParam(const std::string& key) const {
  auto it = params.find(key);
  return it != params.end() && it->second.defined();
}

const at::Tensor& Node::param(const std::string& key) const {
  auto it = params.find(key);
  if (it == params.end()) throw Error(ErrorCode::Internal, "node '" + name + "' has no parameter '" + key + "'");
  return it->second;
}

int Graph::addNode(Node node) {
  int id = size();
  if (node.op == Op::Input) inputs_.push_back(id);
  nodes_.push_back(std::move(node));
  return id;
}

void Graph::addElidedName(const std::string& name) {
  for (const auto& existing : elided_) {
    if (existing == name) return;
  }
  elided_.push_back(name);
}

std::vector<int> Graph::shapeDependencies(int id) const {
  std::vector<int> deps;
  for (const auto& [key, value] : nodes_.at(id).attrs.all()) {
    if (const auto* sizes = std::get_if<SizeList>(&value)) {
      for (const auto& s : *sizes) s.collectNodes(deps);
    }
  }
  return deps;
}

std::vector<std::vector<int>> Graph::consumers() const {
  std::vector<std::vector<int>> out(nodes_.size());
  for (int id = 0; id < size(); ++id) {
    for (int input : nodes_[id].inputs) out[input].push_back(id);
    for (int dep : shapeDependencies(id)) out[dep].push_back(id);
  }
  return out;
}

namespace {

void remapSizes(Node& node, const std::function<int(int)>& remap) {
  for (auto& [key, value] : node.attrs.all()) {
    if (auto* sizes = std::get_if<SizeList>(&value)) {
      for (auto& s : *sizes) s = s.remapped(remap);
    }
  }
}

}  // namespace

void Graph::replaceUses(int from, int to) {
  auto remap = [&](int id) { return id == from ? to : id; };
  for (auto& node : nodes_) {
    for (int& input : node.inputs) input = remap(input);
    remapSizes(node, remap);
  }
  for (int& out : outputs_) out = remap(out);
}

void Graph::removeDeadNodes() {
  std::vector<bool> live(nodes_.size(), false);
  for (int out : outputs_) live[out] = true;
  for (int id : inputs_) live[id] = true;
  for (int id = size() - 1; id >= 0; --id) {
    if (!live[id]) continue;
    for (int input : nodes_[id].inputs) live[input] = true;
    for (int dep : shapeDependencies(id)) live[dep] = true;
  }
  std::vector<int> newId(nodes_.size(), -1);
  std::vector<Node> kept;
  for (int id = 0; id < size(); ++id) {
    if (!live[id]) continue;
    newId[id] = static_cast<int>(kept.size());
    kept.push_back(std::move(nodes_[id]));
  }
  auto remap = [&](int id) { return newId.at(id); };
  for (auto& node : kept) {
    for (int& input : node.inputs) input = remap(input);
    remapSizes(node, remap);
  }
  for (int& out : outputs_) out = remap(out);
  for (int& id : inputs_) id = remap(id);
  nodes_ = std::move(kept);
}

void Graph::validate() const {
  for (int id = 0; id < size(); ++id) {
    const Node& n = nodes_[id];
    for (int input : n.inputs) {
      if (input < 0 || input >= id) {
        throw Error(ErrorCode::Internal, "node '" + n.name + "' reads node " + std::to_string(input) +
                                             " which is not before it");
      }
    }
    for (int dep : shapeDependencies(id)) {
      if (dep < 0 || dep >= id) throw Error(ErrorCode::Internal, "node '" + n.name + "' reads a later shape");
    }
    const OpInfo& info = opInfo(n.op);
    const int count = static_cast<int>(n.inputs.size());
    if (count < info.minInputs || (info.maxInputs >= 0 && count > info.maxInputs)) {
      throw Error(ErrorCode::Internal, std::string("node '") + n.name + "' (" + opName(n.op) + ") has " +
                                           std::to_string(count) + " inputs");
    }
  }
  for (int out : outputs_) {
    if (out < 0 || out >= size()) throw Error(ErrorCode::Internal, "graph output out of range");
  }
}

}  // namespace lrp
