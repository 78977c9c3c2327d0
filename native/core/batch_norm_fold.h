// The folds that move a batch norm's per-channel affine map y = s ⊙ x + t into neighbouring linear
// layers (Pahde et al. 2023, Sec. 3.2 and App. A–B). Canonization (canonize.h) decides which fold
// to try for each batch norm; each function here either rewrites the graph or leaves it unchanged
// and says why it could not.
#pragma once

#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "ir.h"
#include "shape_inference.h"

namespace lrp {

// A batch norm in eval mode as y = scale ⊙ x + shift along dimension 1 (Eq. 3):
//   scale = γ / sqrt(σ² + ε),  shift = β − μ · scale.   Float64.
struct ChannelAffine {
  at::Tensor scale, shift;
  int64_t channels() const { return scale.size(0); }
};
ChannelAffine batchNormAffine(const Node& batchNorm);

struct FoldResult {
  bool folded = false;
  std::string reason;               // why not, when !folded
  std::vector<int> into;            // the linear layers that absorbed it
  // "linear-bn" (Eq. 4), "bn-linear" (Eq. 6), "bn-concat-linear" (App. B: some layer sees it
  // through a concatenation), "bn-relu-linear" (Eq. 7–8)
  std::string pass;
};

// Eq. 4: conv/linear → BN becomes one conv/linear with W' = s ⊙ W (per output channel) and
// b' = s ⊙ b + t. The BN's readers then read the producer.
FoldResult foldIntoProducer(Graph& graph, const ShapeInfo& shapes, int batchNorm);

// Eq. 6 (and App. A, B): BN → linear layers. Every path from the BN's output must reach a conv or
// linear layer through ops that commute with a per-channel affine map (reshapes, permutes,
// expands, concatenations along the channel axis, average pooling, max pooling when s > 0); each
// such layer gets W' = W ⊙ s over the input positions that carry a channel and b' = b + W·t (for
// padded convolutions b' plus a border bias map, border_bias_conv.h). The BN's readers then read
// its input.
FoldResult foldIntoConsumers(Graph& graph, const ShapeInfo& shapes, int batchNorm);

// Eq. 7–8: BN → ReLU → linear layers. relu(s x + t) = s ⊙ ThreshReLU(x) + t', with thresholds
// θ = −t/s, the comparison flipped where s < 0, and for s = 0 a constant relu(t) = t'. The ReLU
// becomes a ThreshReLU reading the BN's input, and (s, t') folds into the layers after it as above.
FoldResult foldThroughRelu(Graph& graph, const ShapeInfo& shapes, int batchNorm);

}  // namespace lrp
