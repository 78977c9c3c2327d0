// A convolution that carries a batch norm folded in from its input side (Pahde et al. 2023,
// App. A). With zero padding, the folded shift t reaches an output position only through the kernel
// taps that land inside the image, so the folded bias is a map over (channel, height, width):
//   B[o,h,w] = b[o] + Σ_{i,k inside} W[o,i,k]·t[i] = b'[o] + R[o,h,w],
// where b'[o] = b[o] + Σ_{i,k} W[o,i,k]·t[i] is the bias of an interior position and
//   R = conv(pad₀(1), K) − Σ_{i,k} K[o,i,k],   K[o,i,k] = W[o,i,k]·t[i]   ("border_weight"),
// is zero wherever no tap touches the padding. The forward runs the convolution with the scalar
// bias b' (fused by the convolution itself) and adds R only on the border rows and columns, so no
// full-size pass is added. R depends on the input's spatial size: it is computed once per size and
// cached (the last kMaxSizes sizes per layer).
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <utility>

#include <ATen/ATen.h>

#include "ir.h"

namespace lrp {

struct BorderBias {
  at::Tensor residual;  // R, (out_channels, out_height, out_width)
  int64_t rowBegin = 0, rowEnd = 0, colBegin = 0, colEnd = 0;  // interior: R == 0 there
};

class BorderBiasCache {
 public:
  static constexpr size_t kMaxSizes = 8;
  BorderBias get(const Attributes& attrs, const at::Tensor& borderWeight, int64_t height, int64_t width);

 private:
  std::mutex mutex_;
  std::map<std::pair<int64_t, int64_t>, BorderBias> bySize_;
  std::deque<std::pair<int64_t, int64_t>> insertionOrder_;
};

// conv2d(x, weight, bias) + R; `borderWeight` is K above.
at::Tensor convWithBorderBias(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                              const at::Tensor& borderWeight, const Attributes& attrs, BorderBiasCache& cache);

}  // namespace lrp
