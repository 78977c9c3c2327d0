// LRP rules as data: which rule a node uses and its parameters, with zennit 0.5.1's names and
// defaults. The math lives in layer_rules.cpp (conv/linear) and propagate.cpp (everything else).
#pragma once

#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace lrp {

enum class RuleKind {
  Gradient,            // the vector-Jacobian product (what a node without a rule gets)
  Pass,                // relevance passes unchanged (element-wise ops)
  Epsilon,             // R_i = x_i Σ_j w_ij R_j / stab_ε(z_j)
  Gamma,               // generalized gamma (four sign terms)
  ZPlus,               // alpha = 1, beta = 0
  AlphaBeta,           // α·positive − β·negative contributions, α − β = 1
  ZBox,                // bounded inputs, low ≤ x ≤ high
  Flat,                // unit weights and inputs
  WSquare,             // squared weights, unit inputs
  Norm,                // R_i = x_i · VJP(R / stab(y)) for sums and average pooling
  ReluDeconvNet,       // R_in = max(R, 0)
  ReluGuidedBackprop,  // R_in = R · [x > 0] · [R > 0]
  ReluBetaSmooth,      // R_in = R · sigmoid(β x)
};

RuleKind parseRuleKind(const std::string& name);  // kebab-case names of docs/cli.md
const char* ruleName(RuleKind kind);

struct Rule {
  RuleKind kind = RuleKind::Gradient;
  double epsilon = 1e-6;     // epsilon rule's stabilizer (zennit calls it epsilon there)
  double stabilizer = 1e-6;  // every other rule's stabilizer
  double gamma = 0.25;
  double alpha = 2.0, beta = 1.0;
  double betaSmooth = 10.0;
  std::vector<double> low, high;         // zbox bounds: one value, or one per input channel
  std::vector<std::string> zeroParams;   // zennit's zero_params: "weight" and/or "bias"
};

// Every parameter of a Rule, declared once: the binding reads them by these names, and explainMany's
// sharing key covers each, so a parameter added to Rule and here is parsed and keeps configurations
// that differ in it apart.
struct RuleParameters {
  std::vector<std::pair<const char*, double Rule::*>> numbers;
  std::vector<std::pair<const char*, std::vector<double> Rule::*>> lists;  // one value or one per channel
  std::vector<std::pair<const char*, std::vector<std::string> Rule::*>> names;
};
const RuleParameters& ruleParameters();

// Everything that makes a rule compute differently; equal keys share their relevance.
std::string sharingKey(const Rule& rule);

// zennit's stabilize: x + (sign(x) with sign(0) = +1) · ε.
at::Tensor stabilize(const at::Tensor& x, double epsilon);

}  // namespace lrp
