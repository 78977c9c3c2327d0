#include "propagate.h"

#include <tuple>

#include "errors.h"
#include "ops/op_table.h"
#include "rules/rule_family.h"
#include "profile.h"
#include "targets.h"

namespace lrp {

namespace {

bool isLayer(Op op) { return opInfo(op).relevance == DefaultRelevance::LayerRule; }

// A convolution's or dense layer's parameters as the rules see them: a folded convolution's bias
// map counts in z as its bias (biasMapInZ), or z is the convolution with its own bias without the
// whole folded map (interior part Σ K included, the paper's App. A), which the paper's
// implementation adds outside the rules.
LayerParams layerParams(const Plan& plan, int id, const Tape& tape, const at::Tensor& x, const PropagateOptions& options) {
  LayerParams params;
  const auto& p = plan.params(id);
  params.weight = p.at("weight");
  if (p.count("bias")) params.bias = p.at("bias");
  if (p.count("border_weight")) {
    if (options.biasMapInZ) {
      params.bias = plan.biasMap(id, x.size(-2), x.size(-1));
    } else {
      params.bias = plan.derived(id, "bias_without_map", [&p]() {
        const at::Tensor& bias = p.at("bias");
        return (bias.to(at::kDouble) - p.at("border_weight").to(at::kDouble).sum({1, 2, 3})).to(bias.scalar_type());
      });
    }
  }
  if (!p.count("border_weight") || options.biasMapInZ) params.output = tape.values.at(id);
  params.inputNonNegative = plan.nonNegative(plan.graph().node(id).inputs.at(0));
  params.keep = [&plan, id](const std::string& key, const std::function<at::Tensor()>& make) {
    return plan.derived(id, key, make);
  };
  return params;
}

const Rule kGradient{};

std::vector<at::Tensor> relevanceAtInputs(const Plan& plan, int id, const Rule* rule, const Tape& tape,
                                          const at::Tensor& R, const PropagateOptions& options, const SizeOf& sizeOf,
                                          TermCache* cache) {
  const Node& node = plan.graph().node(id);
  std::vector<at::Tensor> x;
  for (int input : node.inputs) x.push_back(tape.values.at(input));
  if (opInfo(node.op).relevance == DefaultRelevance::Gate && node.attrs.has("gate") && options.gateTakesAll) {
    // Signal-takes-it-all: the gate only scales; all relevance stays with the signal.
    std::vector<at::Tensor> out(2);
    int64_t gate = node.attrs.i("gate");
    out[1 - gate] = R;
    return out;
  }
  const Rule& applied = rule ? *rule : kGradient;
  const RuleFamily& family = findRule(applied.name);
  if (!ruleApplies(family, opInfo(node.op), nodeCategory(node))) throw ruleMismatch(family, node);
  if (isLayer(node.op)) {
    LayerParams params = layerParams(plan, id, tape, x[0], options);
    if (node.op == Op::Linear && x[0].dim() != 2) {
      // A dense layer maps the last axis and treats every other as a sample (a relation network's
      // (batch, pairs, features)): the rules see it as (rows, features) and the result takes x's shape.
      auto rows = [](const at::Tensor& t) { return t.reshape({-1, t.size(-1)}); };
      const at::Tensor x2 = rows(x[0]), R2 = rows(R);
      if (params.output.defined()) params.output = rows(params.output);
      return {family.layer(LayerContext{node, params, applied, x2, R2, cache}).reshape(x[0].sizes())};
    }
    return {family.layer(LayerContext{node, params, applied, x[0], R, cache})};
  }
  return family.node(NodeContext{plan, id, node, applied, x, tape.values.at(id), R, sizeOf, cache});
}

std::string ruleKey(const Rule* rule) { return rule ? sharingKey(*rule) : "-"; }

const Rule* ruleAt(const std::map<int, Rule>& rules, int id) {
  auto found = rules.find(id);
  return found == rules.end() ? nullptr : &found->second;
}

// Configurations that agreed on every node so far, with their shared relevance per node.
struct Branch {
  std::vector<at::Tensor> R;
  std::vector<size_t> members;
};

}  // namespace

std::vector<at::Tensor> propagateShared(const Plan& plan, const Tape& tape, const std::vector<const std::map<int, Rule>*>& ruleSets,
                                        const at::Tensor& outputRelevance, const PropagateOptions& options) {
  at::NoGradGuard noGrad;
  const Graph& graph = plan.graph();
  SizeOf sizeOf = [&](int node, int64_t dim) { return tape.values.at(node).size(dim); };
  std::map<int, TermCache> caches;
  // One node's rule for a branch: relevance at its inputs added up, its own cleared.
  auto apply = [&](Branch& branch, int id) {
    const Node& node = graph.node(id);
    std::vector<at::Tensor> in;
    ProfileScope scope("relevance", opName(node.op), &node.name);
    try {
      in = relevanceAtInputs(plan, id, ruleAt(*ruleSets[branch.members[0]], id), tape, branch.R[id], options, sizeOf,
                             &caches[id]);
    } catch (const c10::Error& e) {
      throw Error(ErrorCode::Internal, "relevance at " + nodeLabel(node) + ": " + firstLine(e.what_without_backtrace()));
    }
    for (size_t j = 0; j < in.size() && j < node.inputs.size(); ++j) {
      if (!in[j].defined()) continue;
      at::Tensor& target = branch.R[node.inputs[j]];
      target = target.defined() ? target + in[j] : in[j];
    }
    branch.R[id] = at::Tensor();  // nothing reads it any more
  };
  // Depth first: a branch runs down until its configurations' rules differ; its children wait on
  // a stack, so only the branches along one path (and their waiting siblings) hold relevance.
  struct Pending {
    int next;  // the next node to process, going towards the input
    Branch branch;
  };
  Branch root;
  root.R.resize(graph.size());
  root.R[graph.outputs().at(0)] = outputRelevance;
  for (size_t m = 0; m < ruleSets.size(); ++m) root.members.push_back(m);
  std::vector<Pending> stack;
  stack.push_back({graph.size() - 1, std::move(root)});
  std::vector<at::Tensor> out(ruleSets.size());
  const int input = graph.inputs().at(0);
  while (!stack.empty()) {
    Pending pending = std::move(stack.back());
    stack.pop_back();
    Branch& branch = pending.branch;
    bool split = false;
    for (int id = pending.next; id >= 0 && !split; --id) {
      const Node& node = graph.node(id);
      if (opInfo(node.op).relevance == DefaultRelevance::Source || !branch.R[id].defined()) continue;
      std::map<std::string, std::vector<size_t>> parts;
      for (size_t m : branch.members) parts[ruleKey(ruleAt(*ruleSets[m], id))].push_back(m);
      if (parts.size() == 1) {
        apply(branch, id);
        continue;
      }
      // Configurations with different rules here go separate ways from here on (a tree).
      for (auto part = parts.rbegin(); part != parts.rend(); ++part) {
        Branch child{branch.R, part->second};
        apply(child, id);
        stack.push_back({id - 1, std::move(child)});
      }
      split = true;
    }
    if (split) continue;
    at::Tensor r = branch.R.at(input).defined() ? branch.R.at(input) : at::zeros_like(tape.values.at(input));
    for (size_t m : branch.members) out[m] = r;
  }
  return out;
}

namespace {

// The output relevance: one-hot at each sample's target, times the logit for init = logit.
at::Tensor initialRelevance(const at::Tensor& y, const std::vector<int64_t>& targets, InitialRelevance init) {
  std::vector<int64_t> resolved = resolveTargets(y, targets);
  at::Tensor index = at::tensor(resolved, at::kLong).to(y.device()).view({-1, 1});
  at::Tensor onehot = at::zeros_like(y).scatter_(1, index, 1.0);
  return init == InitialRelevance::Logit ? onehot * y : onehot;
}

}  // namespace

std::vector<Explanation> explainMany(const Plan& plan, const std::vector<at::Tensor>& inputs,
                                     const std::vector<int64_t>& targets, const std::vector<RuleSet>& ruleSets) {
  Tape tape = plan.forwardWithTape(inputs);
  at::Tensor y = tape.values.at(plan.graph().outputs().at(0));
  std::vector<Explanation> out(ruleSets.size());
  // Rule sets with the same start and options share one propagation tree.
  std::map<std::tuple<int, bool, bool>, std::vector<size_t>> groups;
  for (size_t i = 0; i < ruleSets.size(); ++i) {
    const RuleSet& set = ruleSets[i];
    groups[{static_cast<int>(set.init), set.options.biasMapInZ, set.options.gateTakesAll}].push_back(i);
  }
  for (const auto& [key, members] : groups) {
    const RuleSet& first = ruleSets[members[0]];
    std::vector<const std::map<int, Rule>*> sets;
    for (size_t i : members) sets.push_back(&ruleSets[i].rules);
    auto relevances = propagateShared(plan, tape, sets, initialRelevance(y, targets, first.init), first.options);
    for (size_t k = 0; k < members.size(); ++k) out[members[k]] = Explanation{relevances[k], y};
  }
  return out;
}

}  // namespace lrp
