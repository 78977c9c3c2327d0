#include "gamma_gradients.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include "../profile.h"
#include "../rules.h"

namespace lrp {

namespace {

// The same math with tensor operations (other devices and dtypes).
at::Tensor gammaGradientsByOps(const at::Tensor& R, const at::Tensor& z, const at::Tensor& A, double gamma, double s,
                               int64_t groups, bool stacked) {
  at::Tensor gp = (z > 0).to(R.scalar_type()) * (R / stabilize(z + gamma * A, s));
  at::Tensor gn = (z < 0).to(R.scalar_type()) * (R / stabilize(z + gamma * (z - A), s));
  if (!stacked) return gp + gn;
  std::vector<int64_t> grouped = {R.size(0), groups, R.size(1) / groups};
  for (int64_t d = 2; d < R.dim(); ++d) grouped.push_back(R.size(d));
  std::vector<int64_t> shape = R.sizes().vec();
  shape[1] *= 2;
  return at::cat({gp.reshape(grouped), gn.reshape(grouped)}, 2).reshape(shape);
}

}  // namespace

at::Tensor gammaGradients(const at::Tensor& relevance, const at::Tensor& z, const at::Tensor& positivePart,
                          double gamma, double stabilizer, int64_t groups, bool stacked) {
  if (!positivePart.defined() && gamma == 0) {
    return gammaGradients(relevance, z, z, 0.0, stabilizer, groups, stacked);  // γ·A = 0: z stands in for A
  }
  const bool fast = relevance.device().is_cpu() && relevance.scalar_type() == z.scalar_type() &&
                    positivePart.scalar_type() == z.scalar_type() && at::isFloatingType(z.scalar_type()) &&
                    relevance.sizes().equals(z.sizes()) && positivePart.sizes().equals(z.sizes()) && z.dim() >= 2;
  if (!fast) return gammaGradientsByOps(relevance, z, positivePart, gamma, stabilizer, groups, stacked);
  ProfileScope scope("fused division");
  // All three in z's memory format; channels-last activations (4-D) are walked pixel by pixel,
  // the others plane by plane.
  const at::MemoryFormat format = z.suggest_memory_format();
  const bool channelsLast = format == at::MemoryFormat::ChannelsLast && z.dim() == 4;
  at::Tensor r = relevance.contiguous(format), zc = z.contiguous(format), a = positivePart.contiguous(format);
  const int64_t n = z.size(0), channels = z.size(1), inner = z.numel() / std::max<int64_t>(1, n * channels);
  const int64_t perGroup = channels / groups;
  std::vector<int64_t> shape = z.sizes().vec();
  if (stacked) shape[1] *= 2;
  at::Tensor out = at::empty(shape, z.options().memory_format(format));
  AT_DISPATCH_FLOATING_TYPES(z.scalar_type(), "lrp_gamma_gradients", [&] {
    const scalar_t* pr = r.data_ptr<scalar_t>();
    const scalar_t* pz = zc.data_ptr<scalar_t>();
    const scalar_t* pa = a.data_ptr<scalar_t>();
    scalar_t* po = out.data_ptr<scalar_t>();
    const scalar_t g = static_cast<scalar_t>(gamma), eps = static_cast<scalar_t>(stabilizer);
    auto stab = [eps](scalar_t v) { return v + (v >= scalar_t(0) ? eps : -eps); };
    // g⁺ = R / (z + γA) where z > 0, g⁻ = R / (z + γ(z − A)) where z < 0 (A = W⁺x + b⁺).
    auto positive = [&](int64_t i) { return pz[i] > 0 ? pr[i] / stab(pz[i] + g * pa[i]) : scalar_t(0); };
    auto negative = [&](int64_t i) { return pz[i] < 0 ? pr[i] / stab(pz[i] + g * (pz[i] - pa[i])) : scalar_t(0); };
    if (!stacked) {
      at::parallel_for(0, z.numel(), 32768, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) po[i] = pz[i] > 0 ? positive(i) : negative(i);
      });
      return;
    }
    if (channelsLast) {
      // One task per (sample, pixel): its channels are contiguous, and so are the stacked output's
      // 2·channels, [g⁺ of group 0, g⁻ of group 0, g⁺ of group 1, ...].
      at::parallel_for(0, n * inner, std::max<int64_t>(1, 32768 / std::max<int64_t>(1, channels)),
                       [&](int64_t begin, int64_t end) {
        for (int64_t pixel = begin; pixel < end; ++pixel) {
          for (int64_t group = 0; group < groups; ++group) {
            const int64_t first = pixel * channels + group * perGroup;
            scalar_t* op = po + 2 * first;
            scalar_t* on = op + perGroup;
            for (int64_t k = 0; k < perGroup; ++k) {
              op[k] = positive(first + k);
              on[k] = negative(first + k);
            }
          }
        }
      });
      return;
    }
    // One task per (sample, channel) plane.
    at::parallel_for(0, n * channels, std::max<int64_t>(1, 32768 / std::max<int64_t>(1, inner)),
                     [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        const int64_t sample = plane / channels, c = plane % channels;
        const int64_t group = c / perGroup, within = c % perGroup;
        scalar_t* op = po + ((sample * 2 * channels) + group * 2 * perGroup + within) * inner;
        scalar_t* on = op + perGroup * inner;
        for (int64_t k = 0; k < inner; ++k) {
          op[k] = positive(plane * inner + k);
          on[k] = negative(plane * inner + k);
        }
      }
    });
  });
  return out;
}

at::Tensor gammaStackedWeight(const at::Tensor& weight, const at::Tensor& positiveWeight,
                              const at::Tensor& negativeWeight, double gamma, int64_t groups) {
  std::vector<int64_t> grouped = {groups, weight.size(0) / groups};
  for (int64_t d = 1; d < weight.dim(); ++d) grouped.push_back(weight.size(d));
  std::vector<int64_t> stackedGrouped = grouped;
  stackedGrouped[1] *= 2;
  std::vector<int64_t> shape = weight.sizes().vec();
  shape[0] *= 2;
  // In the weight's own memory format, so the adds run on like-strided memory and the product
  // takes the result as it is (output channels are the outermost dimension in both formats).
  at::Tensor out = at::empty(shape, weight.options().memory_format(weight.suggest_memory_format()));
  at::Tensor stacked = out.view(stackedGrouped);
  at::Tensor w = weight.view(grouped), wp = positiveWeight.view(grouped), wn = negativeWeight.view(grouped);
  const int64_t half = grouped[1];
  at::Tensor plus = stacked.narrow(1, 0, half), minus = stacked.narrow(1, half, half);
  at::add_out(plus, w, wp, gamma);   // W + γW⁺
  at::add_out(minus, w, wn, gamma);  // W + γW⁻
  return out;
}

}  // namespace lrp
