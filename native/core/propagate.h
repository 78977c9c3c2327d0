// LRP's backward pass: from a forward Tape and a rule per node, walk the graph from the output to
// the first input, each node turning the relevance at its output into relevance at its inputs
// (relevance reaching a value from several readers adds up). Nodes without a rule use the plain
// gradient (vector-Jacobian product); a squeeze-excitation gate product always sends all relevance
// to its signal (signal-takes-it-all, docs/cli.md).
#pragma once

#include <map>
#include <vector>

#include <ATen/ATen.h>

#include "plan.h"
#include "rules.h"
#include "targets.h"

namespace lrp {

struct PropagateOptions {
  bool biasMapInZ = true;    // a folded convolution's bias map counts in z as its bias does
  bool gateTakesAll = true;  // gate products send all relevance to the signal (LRP); false: the gradient
};

// Many rule sets at once: configurations that agree on every node from the output down to some
// point share their relevance up to there, and split where their rules differ (a tree of
// relevance); returns one relevance per rule set.
std::vector<at::Tensor> propagateShared(const Plan& plan, const Tape& tape,
                                        const std::vector<const std::map<int, Rule>*>& ruleSets,
                                        const at::Tensor& outputRelevance, const PropagateOptions& options);

enum class InitialRelevance { OneHot, Logit };

struct Explanation {
  at::Tensor relevance;  // at the first input
  at::Tensor output;     // the model's output (logits)
};

// One forward with a tape, then one propagation per rule set: what hyperparameter search runs.
struct RuleSet {
  std::map<int, Rule> rules;
  InitialRelevance init = InitialRelevance::OneHot;
  PropagateOptions options;
};
std::vector<Explanation> explainMany(const Plan& plan, const std::vector<at::Tensor>& inputs,
                                     const std::vector<int64_t>& targets, const std::vector<RuleSet>& ruleSets);

}  // namespace lrp
