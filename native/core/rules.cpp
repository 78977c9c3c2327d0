#include "rules.h"

#include <sstream>
#include <utility>

namespace lrp {

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
  key << rule.name;
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
