#include "rule_family.h"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "../errors.h"

namespace lrp {

namespace {

std::map<std::string, RuleFamily>& registry() {
  static std::map<std::string, RuleFamily> families;
  return families;
}

}  // namespace

RuleRegistration::RuleRegistration(const RuleFamily& family) {
  // Two families under one name is a build mistake: the second would be dropped without a word.
  if (!registry().emplace(family.name, family).second) {
    std::fprintf(stderr, "lrp-node: rule '%s' is registered twice (native/core/rules/)\n", family.name);
    std::abort();
  }
}

const RuleFamily& findRule(const std::string& name) {
  auto found = registry().find(name);
  if (found != registry().end()) return found->second;
  std::string known;
  for (const auto& [key, family] : registry()) known += std::string(known.empty() ? "" : ", ") + key;
  throw Error(ErrorCode::BadArgument, "unknown rule '" + name + "' (known: " + known + ")");
}

std::vector<const RuleFamily*> registeredRules() {
  std::vector<const RuleFamily*> out;
  for (const auto& [name, family] : registry()) out.push_back(&family);
  return out;
}

bool ruleApplies(const RuleFamily& family, const OpInfo& info, Category category) {
  switch (info.relevance) {
    case DefaultRelevance::Source: return false;
    case DefaultRelevance::LayerRule: return family.layer != nullptr;
    default: return family.node != nullptr && (!family.accepts || family.accepts(info, category));
  }
}

std::vector<std::pair<const OpInfo*, Category>> ruleTargets(const RuleFamily& family) {
  std::vector<std::pair<const OpInfo*, Category>> out;
  for (const OpInfo* info : registeredOps()) {
    std::vector<Category> categories{info->category};
    categories.insert(categories.end(), info->otherCategories.begin(), info->otherCategories.end());
    for (Category category : categories) {
      if (ruleApplies(family, *info, category)) out.emplace_back(info, category);
    }
  }
  return out;
}

Error ruleMismatch(const RuleFamily& family, const Node& node) {
  const std::string rule = std::string("rule '") + family.name + "' ";
  if (!family.accepts || opInfo(node.op).relevance == DefaultRelevance::LayerRule) {
    return Error(ErrorCode::BadArgument, rule + "does not apply to " + nodeLabel(node));
  }
  std::string wanted;
  bool sameOp = false;
  for (const auto& [info, category] : ruleTargets(family)) {
    wanted += std::string(wanted.empty() ? "" : " or ") + info->name;
    if (info->op == node.op) {
      sameOp = true;
      wanted += std::string(" (") + categoryName(category) + ")";
    }
  }
  const std::string label = nodeLabel(node) + (sameOp ? std::string(" (") + categoryName(nodeCategory(node)) + ")" : "");
  return Error(ErrorCode::BadArgument, rule + "needs a " + wanted + ", not " + label);
}

std::string nodeLabel(const Node& node) { return std::string(opName(node.op)) + " '" + node.name + "'"; }

}  // namespace lrp
