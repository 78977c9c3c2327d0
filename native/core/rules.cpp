#include "rules.h"

#include <sstream>
#include <utility>

#include "errors.h"

namespace lrp {

namespace {

const std::pair<RuleKind, const char*> kNames[] = {
    {RuleKind::Gradient, "gradient"},
    {RuleKind::Pass, "pass"},
    {RuleKind::Epsilon, "epsilon"},
    {RuleKind::Gamma, "gamma"},
    {RuleKind::ZPlus, "zplus"},
    {RuleKind::AlphaBeta, "alpha-beta"},
    {RuleKind::ZBox, "zbox"},
    {RuleKind::Flat, "flat"},
    {RuleKind::WSquare, "wsquare"},
    {RuleKind::Norm, "norm"},
    {RuleKind::ReluDeconvNet, "relu-deconvnet"},
    {RuleKind::ReluGuidedBackprop, "relu-guided-backprop"},
    {RuleKind::ReluBetaSmooth, "relu-beta-smooth"},
};

}  // namespace

RuleKind parseRuleKind(const std::string& name) {
  std::string known;
  for (const auto& [kind, text] : kNames) {
    if (name == text) return kind;
    known += std::string(known.empty() ? "" : ", ") + text;
  }
  throw Error(ErrorCode::BadArgument, "unknown rule '" + name + "' (known: " + known + ")");
}

const char* ruleName(RuleKind kind) {
  for (const auto& [k, text] : kNames) {
    if (k == kind) return text;
  }
  return "?";
}

const RuleParameters& ruleParameters() {
  static const RuleParameters parameters{
      {{"epsilon", &Rule::epsilon},
       {"stabilizer", &Rule::stabilizer},
       {"gamma", &Rule::gamma},
       {"alpha", &Rule::alpha},
       {"beta", &Rule::beta},
       {"betaSmooth", &Rule::betaSmooth}},
      {{"low", &Rule::low}, {"high", &Rule::high}},
      {{"zeroParams", &Rule::zeroParams}},
  };
  return parameters;
}

std::string sharingKey(const Rule& rule) {
  std::ostringstream key;
  key.precision(17);
  key << ruleName(rule.kind);
  const RuleParameters& parameters = ruleParameters();
  for (const auto& [name, member] : parameters.numbers) key << ' ' << name << '=' << rule.*member;
  for (const auto& [name, member] : parameters.lists) {
    key << ' ' << name << '=';
    for (double v : rule.*member) key << v << ',';
  }
  for (const auto& [name, member] : parameters.names) {
    key << ' ' << name << '=';
    for (const auto& v : rule.*member) key << v << ',';
  }
  return key.str();
}

at::Tensor stabilize(const at::Tensor& x, double epsilon) {
  return x + ((x == 0).to(x.scalar_type()) + x.sign()) * epsilon;
}

}  // namespace lrp
