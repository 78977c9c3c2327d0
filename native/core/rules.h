// LRP rules as data: which rule a node uses and its parameters, with zennit 0.5.1's names and
// defaults. The math lives in rules/, one file per rule family.
#pragma once

#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace lrp {

struct Rule {
  std::string name = "gradient";  // a registered rule family (rules/rule_family.h)
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
