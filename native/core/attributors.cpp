#include "attributors.h"

#include <algorithm>

#include <ATen/CPUGeneratorImpl.h>

#include "errors.h"

namespace lrp {

Method parseMethod(const std::string& name) {
  if (name == "lrp") return Method::Lrp;
  if (name == "gradient") return Method::Gradient;
  if (name == "smoothgrad") return Method::SmoothGrad;
  if (name == "integrated-gradients") return Method::IntegratedGradients;
  if (name == "occlusion") return Method::Occlusion;
  throw Error(ErrorCode::BadArgument, "unknown method '" + name + "' (known: lrp, gradient, smoothgrad, integrated-gradients, occlusion)");
}

namespace {

// The other inputs, repeated to go with `copies` stacked copies of the first.
std::vector<at::Tensor> withCopies(const std::vector<at::Tensor>& inputs, const at::Tensor& first, int64_t copies) {
  std::vector<at::Tensor> out{first};
  for (size_t k = 1; k < inputs.size(); ++k) {
    std::vector<int64_t> reps(inputs[k].dim(), 1);
    reps[0] = copies;
    out.push_back(inputs[k].repeat(reps));
  }
  return out;
}

// Relevance of each of `variants` (K, N, ...) of the first input, K·N samples in chunks of whole
// variants; returns (K, N, ...).
at::Tensor relevanceOfVariants(const Plan& plan, const std::vector<at::Tensor>& inputs, const at::Tensor& variants,
                               const std::vector<int64_t>& targets, const RuleSet& set, int64_t maxBatch) {
  const int64_t k = variants.size(0), n = variants.size(1);
  const int64_t perChunk = std::max<int64_t>(1, maxBatch / std::max<int64_t>(n, 1));
  std::vector<at::Tensor> parts;
  for (int64_t begin = 0; begin < k; begin += perChunk) {
    int64_t count = std::min(perChunk, k - begin);
    at::Tensor batch = variants.narrow(0, begin, count).flatten(0, 1);
    std::vector<int64_t> repeated;
    for (int64_t c = 0; c < count; ++c) repeated.insert(repeated.end(), targets.begin(), targets.end());
    Explanation e = explainMany(plan, withCopies(inputs, batch, count), repeated, {set}).at(0);
    auto shape = variants.sizes().vec();
    shape[0] = count;
    parts.push_back(e.relevance.reshape(shape));
  }
  return at::cat(parts, 0);
}

at::Tensor smoothGrad(const Plan& plan, const std::vector<at::Tensor>& inputs, const std::vector<int64_t>& targets,
                      const RuleSet& set, const MethodParams& p) {
  // SmoothGrad (Smilkov et al. 2017): mean over S gradients at x + ε, ε ~ N(0, σ²), σ = level·(max − min)
  // per sample; the last iteration has ε = 0 (zennit: S = 1 is the gradient).
  const at::Tensor& x = inputs[0];
  std::vector<int64_t> dims;
  for (int64_t d = 1; d < x.dim(); ++d) dims.push_back(d);
  at::Tensor sigma = p.noiseLevel * (x.amax(dims, true) - x.amin(dims, true));
  auto generator = at::make_generator<at::CPUGeneratorImpl>(p.seed);
  std::vector<at::Tensor> variants;
  for (int64_t s = 0; s < p.samples; ++s) {
    if (s == p.samples - 1) {
      variants.push_back(x);
    } else {
      at::Tensor noise = at::randn(x.sizes(), generator, x.options().device(at::kCPU)).to(x.device());
      variants.push_back(x + noise * sigma);
    }
  }
  return relevanceOfVariants(plan, inputs, at::stack(variants), targets, set, p.maxBatch).mean(0);
}

at::Tensor integratedGradients(const Plan& plan, const std::vector<at::Tensor>& inputs,
                               const std::vector<int64_t>& targets, const RuleSet& set, const MethodParams& p) {
  // Integrated Gradients (Sundararajan et al. 2017), baseline 0: x ⊙ mean_k ∇f(α_k x), α_k = k/S.
  const at::Tensor& x = inputs[0];
  std::vector<at::Tensor> variants;
  for (int64_t k = 1; k <= p.samples; ++k) variants.push_back(x * (static_cast<double>(k) / p.samples));
  return relevanceOfVariants(plan, inputs, at::stack(variants), targets, set, p.maxBatch).mean(0) * x;
}

at::Tensor occlusion(const Plan& plan, const std::vector<at::Tensor>& inputs, const std::vector<int64_t>& targets,
                     const MethodParams& p) {
  // Occlusion (zennit's definition): for each window position, everything outside the window is set
  // to 0; each pixel sums the target logits of the windows that keep it.
  const at::Tensor& x = inputs[0];
  const int64_t rank = x.dim();
  auto resolve = [&](const std::vector<int64_t>& v) {
    std::vector<int64_t> out(rank);
    out[0] = x.size(0);
    if (v.size() == 1) {
      for (int64_t d = 1; d < rank; ++d) out[d] = std::min(v[0], x.size(d));
    } else {
      if (static_cast<int64_t>(v.size()) >= rank) throw Error(ErrorCode::BadArgument, "occlusion window has too many dimensions");
      for (int64_t d = 1; d < rank; ++d) {
        int64_t j = d - (rank - static_cast<int64_t>(v.size()));
        out[d] = j >= 0 ? v[j] : x.size(d);
      }
    }
    return out;
  };
  std::vector<int64_t> window = resolve(p.window), stride = resolve(p.stride);
  for (int64_t d = 1; d < rank; ++d) {
    if (window[d] < 1 || stride[d] < 1) throw Error(ErrorCode::BadArgument, "occlusion window and stride must be positive");
  }
  // Window offsets over the non-batch dims (the mask rolls, wrapping at the edges, as zennit's).
  std::vector<std::vector<int64_t>> offsets{{}};
  for (int64_t d = 1; d < rank; ++d) {
    std::vector<std::vector<int64_t>> next;
    for (const auto& o : offsets) {
      for (int64_t start = 0; start < x.size(d); start += stride[d]) {
        auto e = o;
        e.push_back(start);
        next.push_back(e);
      }
    }
    offsets = next;
  }
  at::Tensor root = at::zeros(x.sizes(), x.options().dtype(at::kBool));
  {
    at::Tensor view = root;
    for (int64_t d = 1; d < rank; ++d) view = view.narrow(d, 0, window[d]);
    view.fill_(true);
  }
  std::vector<int64_t> rollDims;
  for (int64_t d = 1; d < rank; ++d) rollDims.push_back(d);
  at::Tensor index = at::tensor(targets, at::kLong).to(x.device()).view({-1, 1});
  at::Tensor result = at::zeros_like(x);
  const int64_t n = x.size(0), perChunk = std::max<int64_t>(1, p.maxBatch / std::max<int64_t>(n, 1));
  for (size_t begin = 0; begin < offsets.size(); begin += perChunk) {
    size_t count = std::min<size_t>(perChunk, offsets.size() - begin);
    std::vector<at::Tensor> masks, occluded;
    for (size_t c = 0; c < count; ++c) {
      at::Tensor mask = root.roll(offsets[begin + c], rollDims);
      masks.push_back(mask);
      occluded.push_back(x * mask);
    }
    at::Tensor y = plan.forward(withCopies(inputs, at::cat(occluded, 0), static_cast<int64_t>(count)));
    for (size_t c = 0; c < count; ++c) {
      at::Tensor score = y.narrow(0, c * n, n).gather(1, index).view({-1});
      std::vector<int64_t> shape(rank, 1);
      shape[0] = n;
      result += masks[c].to(x.scalar_type()) * score.view(shape);
    }
  }
  return result;
}

}  // namespace

Explanation attribute(const Plan& plan, const std::vector<at::Tensor>& inputs, const std::vector<int64_t>& targets,
                      const RuleSet& ruleSet, Method method, const MethodParams& params) {
  if (method == Method::Lrp || method == Method::Gradient) {
    return explainMany(plan, inputs, targets, {ruleSet}).at(0);
  }
  if (params.samples < 1) throw Error(ErrorCode::BadArgument, "samples must be at least 1");
  // Targets are resolved once on the clean input, so every variant explains the same class.
  at::Tensor cleanOutput = plan.forward(inputs);
  std::vector<int64_t> resolved = resolveTargets(cleanOutput, targets);
  at::NoGradGuard noGrad;
  std::vector<at::Tensor> prepared = inputs;
  prepared[0] = inputs.at(0).to(plan.device(), plan.dtype());
  for (size_t k = 1; k < prepared.size(); ++k) prepared[k] = inputs[k].to(plan.device(), plan.dtype());
  switch (method) {
    case Method::SmoothGrad:
      return Explanation{smoothGrad(plan, prepared, resolved, ruleSet, params), cleanOutput};
    case Method::IntegratedGradients:
      return Explanation{integratedGradients(plan, prepared, resolved, ruleSet, params), cleanOutput};
    default: {
      return Explanation{occlusion(plan, prepared, resolved, params), cleanOutput};
    }
  }
}

std::vector<Explanation> attributeAll(const Plan& plan, const std::vector<at::Tensor>& inputs,
                                      const std::vector<int64_t>& targets, const std::vector<MethodConfig>& configs) {
  std::vector<Explanation> out(configs.size());
  std::vector<RuleSet> shared;
  std::vector<size_t> sharedIndex;
  for (size_t i = 0; i < configs.size(); ++i) {
    if (configs[i].method == Method::Lrp || configs[i].method == Method::Gradient) {
      shared.push_back(configs[i].ruleSet);
      sharedIndex.push_back(i);
    } else {
      out[i] = attribute(plan, inputs, targets, configs[i].ruleSet, configs[i].method, configs[i].params);
    }
  }
  if (!shared.empty()) {
    auto results = explainMany(plan, inputs, targets, shared);
    for (size_t k = 0; k < results.size(); ++k) out[sharedIndex[k]] = results[k];
  }
  return out;
}

}  // namespace lrp
