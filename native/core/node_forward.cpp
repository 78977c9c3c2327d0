#include "node_forward.h"

#include "errors.h"

namespace lrp {

at::Tensor forwardNode(const Node& node, const std::map<std::string, at::Tensor>& params,
                       const std::vector<at::Tensor>& in, const SizeOf& sizeOf, BorderBiasCache* borderBias) {
  const OpInfo& info = opInfo(node.op);
  if (!info.forward) throw Error(ErrorCode::Internal, std::string("no forward for op ") + info.name);
  return info.forward(ForwardArgs{node, params, in, sizeOf, borderBias});
}

}  // namespace lrp
