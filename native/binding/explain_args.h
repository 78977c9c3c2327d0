// The JS arguments of explain() turned into core types: targets, a rule per node, options.
#pragma once

#include <napi.h>

#include <map>
#include <vector>

#include "../core/plan.h"
#include "../core/propagate.h"

namespace lrp::binding {

struct ExplainArgs {
  std::vector<int64_t> targets;
  std::vector<RuleSet> ruleSets;
};

// {targets: number[], configs: [{rules: [{layer, rule, ...params}], init?: 'onehot'|'logit', biasMapInZ?: boolean}]}
ExplainArgs explainArgsFromJs(const Napi::Value& value, const Graph& graph);

}  // namespace lrp::binding
