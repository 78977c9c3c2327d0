#include "border_bias_conv.h"

#include <algorithm>

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#if LRP_CUDA_KERNELS
#include "../cuda/canonized_kernels.h"
#endif

namespace lrp {

namespace {

// Output positions [begin, end) along one axis whose receptive field lies inside the input:
// position p reads p·stride − padding + j·dilation for j < kernel.
std::pair<int64_t, int64_t> interior(int64_t size, int64_t outSize, int64_t kernel, int64_t stride, int64_t padding,
                                     int64_t dilation) {
  int64_t begin = (padding + stride - 1) / stride;
  int64_t last = size - 1 + padding - dilation * (kernel - 1);
  int64_t end = last < 0 ? 0 : last / stride + 1;
  begin = std::min(begin, outSize);
  end = std::clamp(end, begin, outSize);
  return {begin, end};
}

}  // namespace

BorderBias BorderBiasCache::get(const Attributes& attrs, const at::Tensor& borderWeight, int64_t height,
                                       int64_t width) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto key = std::make_pair(height, width);
  auto found = bySize_.find(key);
  if (found != bySize_.end()) return found->second;
  at::NoGradGuard noGrad;
  const auto &stride = attrs.ints("stride"), &padding = attrs.ints("padding"), &dilation = attrs.ints("dilation");
  int64_t groups = attrs.i("groups");
  at::Tensor k = borderWeight.to(at::kDouble);
  at::Tensor ones = at::ones({1, k.size(1) * groups, height, width}, k.options());
  at::Tensor full = at::conv2d(ones, k, {}, stride, padding, dilation, groups)[0];
  BorderBias entry;
  entry.residual = (full - k.sum({1, 2, 3}).view({-1, 1, 1})).to(borderWeight.scalar_type()).contiguous();
  std::tie(entry.rowBegin, entry.rowEnd) =
      interior(height, full.size(1), k.size(2), stride[0], padding[0], dilation[0]);
  std::tie(entry.colBegin, entry.colEnd) = interior(width, full.size(2), k.size(3), stride[1], padding[1], dilation[1]);
  if (bySize_.size() >= kMaxSizes) {
    bySize_.erase(insertionOrder_.front());
    insertionOrder_.pop_front();
  }
  insertionOrder_.push_back(key);
  return bySize_.emplace(key, std::move(entry)).first->second;
}

namespace {

// y[n,o] += R[o] on the rows outside [rowBegin, rowEnd) and, inside them, on the columns outside
// [colBegin, colEnd): one pass over the border of each output plane.
void addBorderCpu(at::Tensor& y, const BorderBias& b) {
  const int64_t planes = y.size(0) * y.size(1), channels = y.size(1), rows = y.size(2), cols = y.size(3);
  at::Tensor r = b.residual.to(y.scalar_type()).contiguous();
  AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "border_bias", [&] {
    scalar_t* out = y.data_ptr<scalar_t>();
    const scalar_t* res = r.data_ptr<scalar_t>();
    at::parallel_for(0, planes, 16, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        scalar_t* plane = out + p * rows * cols;
        const scalar_t* bias = res + (p % channels) * rows * cols;
        for (int64_t i = 0; i < rows; ++i) {
          scalar_t* row = plane + i * cols;
          const scalar_t* add = bias + i * cols;
          if (i < b.rowBegin || i >= b.rowEnd) {
            for (int64_t j = 0; j < cols; ++j) row[j] += add[j];
          } else {
            for (int64_t j = 0; j < b.colBegin; ++j) row[j] += add[j];
            for (int64_t j = b.colEnd; j < cols; ++j) row[j] += add[j];
          }
        }
      }
    });
  });
}

void addBorderBlocks(at::Tensor& y, const BorderBias& b) {
  const at::Tensor& r = b.residual;
  int64_t rows = y.size(2), cols = y.size(3);
  auto addBlock = [&](int64_t row0, int64_t row1, int64_t col0, int64_t col1) {
    if (row1 <= row0 || col1 <= col0) return;
    y.narrow(2, row0, row1 - row0).narrow(3, col0, col1 - col0)
        .add_(r.narrow(1, row0, row1 - row0).narrow(2, col0, col1 - col0));
  };
  addBlock(0, b.rowBegin, 0, cols);
  addBlock(b.rowEnd, rows, 0, cols);
  addBlock(b.rowBegin, b.rowEnd, 0, b.colBegin);
  addBlock(b.rowBegin, b.rowEnd, b.colEnd, cols);
}

}  // namespace

at::Tensor convWithBorderBias(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                              const at::Tensor& borderWeight, const Attributes& attrs, BorderBiasCache& cache) {
  at::Tensor y = at::conv2d(x, weight, bias, attrs.ints("stride"), attrs.ints("padding"), attrs.ints("dilation"),
                            attrs.i("groups"));
  const BorderBias b = cache.get(attrs, borderWeight, x.size(-2), x.size(-1));
  if (y.device().is_cpu() && y.is_contiguous() && at::isFloatingType(y.scalar_type())) {
    addBorderCpu(y, b);
#if LRP_CUDA_KERNELS
  } else if (y.is_cuda() && y.is_contiguous() && at::isFloatingType(y.scalar_type())) {
    cuda::addBorderBias(y, b.residual, b.rowBegin, b.rowEnd, b.colBegin, b.colEnd);
#endif
  } else {
    addBorderBlocks(y, b);
  }
  return y;
}

}  // namespace lrp
