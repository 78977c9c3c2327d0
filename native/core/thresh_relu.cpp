#include "thresh_relu.h"

#include <algorithm>
#include <vector>

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#if LRP_CUDA_KERNELS
#include "../cuda/canonized_kernels.h"
#endif

namespace lrp {

namespace {

at::Tensor threshReluCpu(const at::Tensor& x, const at::Tensor& threshold, const at::Tensor& direction) {
  at::Tensor in = x.contiguous();
  at::Tensor out = at::empty_like(in);
  const int64_t channels = in.size(1);
  const int64_t planes = in.size(0) * channels;
  const int64_t inner = planes == 0 ? 0 : in.numel() / planes;
  at::Tensor theta = threshold.to(in.scalar_type()).contiguous();
  at::Tensor sign = direction.to(in.scalar_type()).contiguous();
  AT_DISPATCH_FLOATING_TYPES(in.scalar_type(), "thresh_relu", [&] {
    const scalar_t* src = in.data_ptr<scalar_t>();
    scalar_t* dst = out.data_ptr<scalar_t>();
    const scalar_t* th = theta.data_ptr<scalar_t>();
    const scalar_t* d = sign.data_ptr<scalar_t>();
    const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(inner, 1));
    at::parallel_for(0, planes, grain, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const int64_t c = p % channels;
        const scalar_t t = th[c];
        const scalar_t* a = src + p * inner;
        scalar_t* z = dst + p * inner;
        if (d[c] > 0) {
          for (int64_t i = 0; i < inner; ++i) z[i] = a[i] > t ? a[i] : t;
        } else if (d[c] < 0) {
          for (int64_t i = 0; i < inner; ++i) z[i] = a[i] < t ? a[i] : t;
        } else {
          std::fill(z, z + inner, scalar_t(0));
        }
      }
    });
  });
  return out;
}

}  // namespace

at::Tensor threshRelu(const at::Tensor& x, const at::Tensor& threshold, const at::Tensor& direction) {
  if (x.device().is_cpu() && x.dim() >= 2 && at::isFloatingType(x.scalar_type())) {
    return threshReluCpu(x, threshold, direction);
  }
#if LRP_CUDA_KERNELS
  if (x.is_cuda() && x.dim() >= 2 && at::isFloatingType(x.scalar_type())) return cuda::threshRelu(x, threshold, direction);
#endif
  std::vector<int64_t> channelShape(x.dim(), 1);
  channelShape.at(1) = -1;
  at::Tensor d = direction.view(channelShape);
  return at::maximum(x * d, (threshold * direction).view(channelShape)).mul_(d);
}

}  // namespace lrp
