#include "targets.h"

#include <string>

#include "errors.h"

namespace lrp {

std::vector<int64_t> resolveTargets(const at::Tensor& logits, const std::vector<int64_t>& targets) {
  if (logits.dim() != 2) {
    throw Error(ErrorCode::BadShape,
                "explain needs a model output of shape (N, classes), got rank " + std::to_string(logits.dim()));
  }
  const int64_t n = logits.size(0), classes = logits.size(1);
  if (static_cast<int64_t>(targets.size()) != n) {
    throw Error(ErrorCode::BadArgument, "got " + std::to_string(targets.size()) + " targets for a batch of " + std::to_string(n));
  }
  std::vector<int64_t> resolved = targets;
  at::Tensor best = logits.argmax(1).cpu();
  for (size_t i = 0; i < resolved.size(); ++i) {
    if (resolved[i] == kArgmax) resolved[i] = best[static_cast<int64_t>(i)].item<int64_t>();
    if (resolved[i] < 0 || resolved[i] >= classes) {
      throw Error(ErrorCode::BadArgument, "target " + std::to_string(targets[i]) + " of sample " + std::to_string(i) +
                                              " is not a class index (the model has " + std::to_string(classes) + " classes)");
    }
  }
  return resolved;
}

}  // namespace lrp
