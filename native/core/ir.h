// The graph IR: the single source of truth every later stage reads (canonization, the executor,
// LRP). A node has an op kind (ops/op.h; what an operator does is its entry in ops/op_table.h), a
// name (the PyTorch module path), input node ids, attributes and parameter tensors. Each node
// produces exactly one tensor, so a node id is also a value id.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <ATen/ATen.h>

#include "ops/op.h"
#include "size_expr.h"

namespace lrp {

// A tensor the forward computes from sizes and stored data only (size_program.h).
struct SizeProgram;
using ProgramRef = std::shared_ptr<const SizeProgram>;

using AttrValue = std::variant<int64_t, double, bool, std::vector<int64_t>, SizeList, ProgramRef>;

class Attributes {
 public:
  void set(const std::string& key, AttrValue value) { values_[key] = std::move(value); }
  bool has(const std::string& key) const { return values_.count(key) > 0; }
  int64_t i(const std::string& key) const;
  double f(const std::string& key) const;
  bool b(const std::string& key) const;
  const std::vector<int64_t>& ints(const std::string& key) const;
  const SizeList& sizes(const std::string& key) const;
  const SizeProgram& program(const std::string& key) const;
  const std::map<std::string, AttrValue>& all() const { return values_; }
  std::map<std::string, AttrValue>& all() { return values_; }

 private:
  const AttrValue& at(const std::string& key) const;
  std::map<std::string, AttrValue> values_;
};

struct Node {
  Op op = Op::Input;
  std::string name;    // unique in the graph
  std::string module;  // the leaf module it runs (shared by repeated calls), or "" for a functional op
  std::vector<int> inputs;
  Attributes attrs;
  std::map<std::string, at::Tensor> params;

  bool hasParam(const std::string& key) const;
  const at::Tensor& param(const std::string& key) const;
};

// What canonization did with one batch norm.
struct BatchNormFold {
  std::string batchNorm;
  // "linear-bn" (Eq. 4), "bn-linear" (Eq. 6), "bn-concat-linear" (App. B), "bn-relu-linear"
  // (Eq. 7–8), or "" when no pass could fold it.
  std::string pass;
  std::vector<std::string> into;
  std::string reason;  // why it stays
};

// A normalization canonization leaves as it is (a layer norm), and why.
struct NotFolded {
  std::string layer;
  std::string op;
  std::string reason;
};

struct CanonizationReport {
  bool applied = false;
  std::string order;
  std::vector<BatchNormFold> folds;
  std::vector<NotFolded> notFolded;
};

class Graph {
 public:
  CanonizationReport canonization;

  int addNode(Node node);
  const std::vector<Node>& nodes() const { return nodes_; }
  Node& node(int id) { return nodes_.at(id); }
  const Node& node(int id) const { return nodes_.at(id); }
  int size() const { return static_cast<int>(nodes_.size()); }

  const std::vector<int>& inputs() const { return inputs_; }
  const std::vector<int>& outputs() const { return outputs_; }
  void setOutputs(std::vector<int> outputs) { outputs_ = std::move(outputs); }

  // Names of modules that vanished at import (dropout, identity): accepted in rule maps.
  const std::vector<std::string>& elidedNames() const { return elided_; }
  void addElidedName(const std::string& name);

  // Node ids that read `id`, as a data input or through a shape expression.
  std::vector<std::vector<int>> consumers() const;
  // Node ids whose shapes a node's size expressions read.
  std::vector<int> shapeDependencies(int id) const;
  // Points every reader of `from` (data inputs, size expressions, graph outputs) at `to`.
  void replaceUses(int from, int to);
  // Drops nodes nothing reads any more (inputs stay) and renumbers the rest, keeping the order.
  void removeDeadNodes();

  // Checks ids point backwards (nodes are stored in topological order) and every op's arity.
  void validate() const;

 private:
  std::vector<Node> nodes_;
  std::vector<int> inputs_;
  std::vector<int> outputs_;
  std::vector<std::string> elided_;
};

}  // namespace lrp
