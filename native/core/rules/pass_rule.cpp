// pass: relevance passes unchanged through an element-wise node (zennit's Pass).
#include "../errors.h"
#include "rule_family.h"

namespace lrp {

namespace {

std::vector<at::Tensor> onNode(const NodeContext& c) {
  if (c.x.size() != 1 || !c.x[0].sizes().equals(c.R.sizes())) {
    throw Error(ErrorCode::BadArgument, "rule 'pass' needs an element-wise layer, not " + nodeLabel(c.node));
  }
  return {c.R};
}

}  // namespace

LRP_RULE(pass, "pass", nullptr, onNode);

}  // namespace lrp
