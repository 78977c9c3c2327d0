#include "canonized_kernels.h"

#include <ATen/Dispatch.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAStream.h>
#include <c10/cuda/CUDAGuard.h>

namespace lrp::cuda {

namespace {

constexpr int kThreads = 256;

int64_t blocksFor(int64_t n) { return (n + kThreads - 1) / kThreads; }

template <typename T>
__global__ void addBorderBiasKernel(T* y, const T* residual, int64_t total, int64_t channels, int64_t rows,
                                    int64_t cols, int64_t rowBegin, int64_t rowEnd, int64_t colBegin,
                                    int64_t colEnd) {
  int64_t index = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (index >= total) return;
  int64_t j = index % cols, i = (index / cols) % rows, plane = index / (rows * cols);
  if (i >= rowBegin && i < rowEnd && j >= colBegin && j < colEnd) return;
  y[index] += residual[((plane % channels) * rows + i) * cols + j];
}

template <typename T>
__global__ void threshReluKernel(const T* x, T* z, const T* threshold, const T* direction, int64_t total,
                                 int64_t channels, int64_t inner) {
  int64_t index = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (index >= total) return;
  int64_t c = (index / inner) % channels;
  T a = x[index], t = threshold[c], d = direction[c];
  z[index] = d > T(0) ? (a > t ? a : t) : (d < T(0) ? (a < t ? a : t) : T(0));
}

}  // namespace

void addBorderBias(at::Tensor& y, const at::Tensor& residual, int64_t rowBegin, int64_t rowEnd, int64_t colBegin,
                   int64_t colEnd) {
  c10::cuda::CUDAGuard guard(y.device());
  at::Tensor r = residual.to(y.device(), y.scalar_type()).contiguous();
  const int64_t total = y.numel();
  if (total == 0) return;
  AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "lrp_border_bias_cuda", [&] {
    addBorderBiasKernel<scalar_t><<<blocksFor(total), kThreads, 0, c10::cuda::getCurrentCUDAStream()>>>(
        y.data_ptr<scalar_t>(), r.data_ptr<scalar_t>(), total, y.size(1), y.size(2), y.size(3), rowBegin, rowEnd,
        colBegin, colEnd);
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

at::Tensor threshRelu(const at::Tensor& x, const at::Tensor& threshold, const at::Tensor& direction) {
  c10::cuda::CUDAGuard guard(x.device());
  at::Tensor in = x.contiguous();
  at::Tensor out = at::empty_like(in);
  const int64_t total = in.numel();
  if (total == 0) return out;
  const int64_t channels = in.size(1), inner = total / (in.size(0) * channels);
  at::Tensor t = threshold.to(in.device(), in.scalar_type()).contiguous();
  at::Tensor d = direction.to(in.device(), in.scalar_type()).contiguous();
  AT_DISPATCH_FLOATING_TYPES(in.scalar_type(), "lrp_thresh_relu_cuda", [&] {
    threshReluKernel<scalar_t><<<blocksFor(total), kThreads, 0, c10::cuda::getCurrentCUDAStream()>>>(
        in.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(), t.data_ptr<scalar_t>(), d.data_ptr<scalar_t>(), total,
        channels, inner);
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return out;
}

}  // namespace lrp::cuda
