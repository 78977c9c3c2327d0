#include "stabilized_divide.h"

#include <algorithm>

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include "profile.h"
#include "rules.h"

namespace lrp {

at::Tensor stabilizedDivide(const at::Tensor& relevance, const at::Tensor& z, double epsilon) {
  const bool fast = relevance.device().is_cpu() && z.device().is_cpu() && relevance.sizes().equals(z.sizes()) &&
                    relevance.scalar_type() == z.scalar_type() && at::isFloatingType(z.scalar_type());
  if (!fast) return relevance / stabilize(z, epsilon);
  ProfileScope scope("fused division");
  // Both in z's memory format (channels-last activations stay so), so one flat loop pairs them.
  const at::MemoryFormat format = z.suggest_memory_format();
  at::Tensor r = relevance.contiguous(format), d = z.contiguous(format);
  at::Tensor out = at::empty_like(d, at::MemoryFormat::Preserve);
  AT_DISPATCH_FLOATING_TYPES(d.scalar_type(), "lrp_stabilized_divide", [&] {
    const scalar_t* pr = r.data_ptr<scalar_t>();
    const scalar_t* pz = d.data_ptr<scalar_t>();
    scalar_t* po = out.data_ptr<scalar_t>();
    const scalar_t eps = static_cast<scalar_t>(epsilon);
    at::parallel_for(0, r.numel(), 32768, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) po[i] = pr[i] / (pz[i] + (pz[i] >= scalar_t(0) ? eps : -eps));
    });
  });
  return out;
}

}  // namespace lrp
