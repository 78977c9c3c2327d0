// The JS arguments of explain() turned into core types: targets, a rule per node, options.
#pragma once

#include <napi.h>

#include <map>
#include <vector>

#include "../core/plan.h"
#include "../core/attributors.h"
#include "../core/propagate.h"

namespace lrp::binding {

struct ExplainArgs {
  std::vector<int64_t> targets;
  std::vector<MethodConfig> configs;
};

// {targets: number[], configs: [{rules: [{layer, rule, ...params}], init?: 'onehot'|'logit', biasMapInZ?,
//   gateTakesAll?, method?, samples?, noiseLevel?, window?, stride?, seed?, maxBatch?}]}
ExplainArgs explainArgsFromJs(const Napi::Value& value, const Graph& graph);

}  // namespace lrp::binding
