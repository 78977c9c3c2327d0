#include "rules.h"

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

at::Tensor stabilize(const at::Tensor& x, double epsilon) {
  return x + ((x == 0).to(x.scalar_type()) + x.sign()) * epsilon;
}

}  // namespace lrp
