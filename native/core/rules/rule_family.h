// An LRP rule as a unit (docs/explain.md, "Rules"): a name and how it turns the relevance at a node's
// output into relevance at the node's inputs — on a convolution or dense layer, on any other node,
// or both; a rule without one of them does not apply there. Each family lives in one file of this
// folder with its formula above the code and registers itself with LRP_RULE; its parameters are
// the Rule's (rules.h), declared once there.
#pragma once

#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "../errors.h"
#include "../ops/op_table.h"
#include "../plan.h"
#include "../rules.h"
#include "layer_terms.h"

namespace lrp {

// What a rule sees at any node other than a convolution or dense layer.
struct NodeContext {
  const Plan& plan;
  int id;
  const Node& node;
  const Rule& rule;
  const std::vector<at::Tensor>& x;  // the node's inputs (from the forward)
  const at::Tensor& y;               // its output
  const at::Tensor& R;               // relevance at its output
  const SizeOf& sizeOf;
  TermCache* cache;                  // per node and explain call; may be null
};

using LayerRelevance = at::Tensor (*)(const LayerContext&);
using NodeRelevance = std::vector<at::Tensor> (*)(const NodeContext&);

struct RuleFamily {
  const char* name;                     // the kebab-case name of docs/explain.md
  LayerRelevance layer;                 // on convolutions and dense layers, or null
  NodeRelevance node;                   // on other nodes, or null
  std::vector<std::string> parameters;  // the Rule parameters it reads (names of ruleParameters())
  // The nodes `node` is for, by operator and category (the relu family, softmax, products of two
  // computed tensors); null: every node other than a convolution or dense layer. Checked before the
  // rule runs, and reported (docs/operators.md).
  bool (*accepts)(const OpInfo&, Category) = nullptr;
};

// The registered rule of that name; an error listing the known names otherwise.
const RuleFamily& findRule(const std::string& name);
// Every registered rule, by name (what the binding reports to TypeScript's schema test).
std::vector<const RuleFamily*> registeredRules();
// Whether `family` has a relevance for a node of operator `info` and category `category`.
bool ruleApplies(const RuleFamily& family, const OpInfo& info, Category category);
// The operators `family` applies to, each with the category it applies to them in (an operator
// can have several: opInfo's otherCategories), in the order of Op.
std::vector<std::pair<const OpInfo*, Category>> ruleTargets(const RuleFamily& family);
// The error for a node `family` does not apply to.
Error ruleMismatch(const RuleFamily& family, const Node& node);

struct RuleRegistration {
  explicit RuleRegistration(const RuleFamily& family);
};

// LRP_RULE(id, "name", onLayer or nullptr, onNode or nullptr, "parameter", ...)
#define LRP_RULE(id, name, layer, node, ...) \
  static const ::lrp::RuleRegistration id##Registration { ::lrp::RuleFamily{name, layer, node, {__VA_ARGS__}} }
// LRP_NODE_RULE(id, "name", onNode, accepts, "parameter", ...): a rule for the operators `accepts` names.
#define LRP_NODE_RULE(id, name, node, accepts, ...) \
  static const ::lrp::RuleRegistration id##Registration {                 \
    ::lrp::RuleFamily { name, nullptr, node, {__VA_ARGS__}, accepts }     \
  }

// "conv2d 'features.0'", for error messages.
std::string nodeLabel(const Node& node);

}  // namespace lrp
