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

std::string nodeLabel(const Node& node) { return std::string(opName(node.op)) + " '" + node.name + "'"; }

}  // namespace lrp
