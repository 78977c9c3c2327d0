#include "layer_terms.h"

#include <algorithm>

#include "../profile.h"

namespace lrp {

at::Tensor affine(const Node& node, const at::Tensor& in, const at::Tensor& w, const at::Tensor& b) {
  if (node.op == Op::Linear) return at::linear(in, w, b);
  const Attributes& a = node.attrs;
  const bool perChannel = b.defined() && b.dim() == 1;  // oneDNN adds it inside the convolution
  at::Tensor y = at::conv2d(in, w, perChannel ? b : at::Tensor(), a.ints("stride"), a.ints("padding"),
                            a.ints("dilation"), a.i("groups"));
  if (!b.defined() || perChannel) return y;
  return y + b.unsqueeze(0);  // a bias map (C, H, W): a folded convolution's border terms
}

at::Tensor affineVjp(const Node& node, const at::Tensor& in, const at::Tensor& w, const at::Tensor& g,
                     const at::Tensor& flipped) {
  if (node.op == Op::Linear) return at::matmul(g, w);
  const Attributes& a = node.attrs;
  if (flipped.defined()) {
    std::vector<int64_t> padding = a.ints("padding"), dilation = a.ints("dilation");
    for (size_t d = 0; d < padding.size(); ++d) padding[d] = dilation[d] * (w.size(2 + d) - 1) - padding[d];
    return at::conv2d(g, flipped, at::Tensor(), 1, padding, dilation, 1);
  }
  return std::get<0>(at::convolution_backward(g, in, w, c10::nullopt, a.ints("stride"), a.ints("padding"),
                                              a.ints("dilation"), false, {0, 0}, a.i("groups"),
                                              {true, false, false}));
}

bool convolvesForward(const Node& node, const at::Tensor& w) {
  if (node.op != Op::Conv2d || node.attrs.i("groups") != 1 || !w.device().is_cpu() ||
      w.suggest_memory_format() != at::MemoryFormat::ChannelsLast) {
    return false;
  }
  const auto stride = node.attrs.ints("stride"), padding = node.attrs.ints("padding"), dilation = node.attrs.ints("dilation");
  for (size_t d = 0; d < stride.size(); ++d) {
    if (stride[d] != 1 || padding[d] > dilation[d] * (w.size(2 + d) - 1)) return false;
  }
  return true;
}

at::Tensor flippedKernel(const at::Tensor& w) {
  return w.flip({2, 3}).transpose(0, 1).contiguous(at::MemoryFormat::ChannelsLast);
}

at::Tensor LayerContext::vjp(const Term& t, const at::Tensor& g) const {
  at::Tensor flipped;
  if (!t.weightKey.empty() && params.keep && convolvesForward(node, t.weight)) {
    flipped = params.keep(t.weightKey + " flipped", [&] { return flippedKernel(t.weight); });
  }
  return affineVjp(node, t.input, t.weight, g, flipped);
}

Term LayerContext::term(const at::Tensor& input, const Modifier& mod, bool zeroBias, const char* variant) const {
  const auto& zero = rule.zeroParams;
  auto zeroed = [&](const char* name) { return std::find(zero.begin(), zero.end(), name) != zero.end(); };
  auto modified = [&](const at::Tensor& param, const char* name) {
    const bool perPosition = std::string(name) == "bias" && param.dim() != 1;  // a bias map: size-dependent
    if (!variant || !params.keep || perPosition) return mod(param);
    return params.keep(std::string(name) + variant, [&] { return mod(param).contiguous(param.suggest_memory_format()); });
  };
  Term t;
  t.input = input;
  t.weight = zeroed("weight") ? at::zeros_like(params.weight) : modified(params.weight, "weight");
  if (variant && params.keep && !zeroed("weight")) t.weightKey = std::string("weight") + variant;
  if (params.bias.defined() && !zeroBias && !zeroed("bias")) t.bias = modified(params.bias, "bias");
  return t;
}

at::Tensor LayerContext::cached(const std::string& key, const std::function<at::Tensor()>& compute) const {
  if (!cache) return compute();
  auto found = cache->find(key);
  if (found != cache->end()) return found->second;
  ProfileScope scope("z-terms");
  return (*cache)[key] = compute();
}

bool LayerContext::inputNonNegative() const {
  if (params.inputNonNegative) return true;
  return x.numel() > 0 && cached("x >= 0", [&] {
    // min() of all elements copies a channels-last tensor to NCHW first; its NHWC view is contiguous.
    const bool channelsLast = x.dim() == 4 && !x.is_contiguous() && x.is_contiguous(at::MemoryFormat::ChannelsLast);
    return ((channelsLast ? x.permute({0, 2, 3, 1}) : x).min() >= 0).cpu();
  }).item<bool>();
}

SignSplit::SignSplit(const LayerContext& l) : layer(l), nonNegative(l.inputNonNegative()) {
  xPos = nonNegative ? l.x : clampPositive(l.x);
  if (!nonNegative) xNeg = clampNegative(l.x);
}

at::Tensor SignSplit::z(const Term& positivePart, const Term& negativePart) const {
  return nonNegative ? layer.z(positivePart) : layer.z(positivePart) + layer.z(negativePart);
}

at::Tensor SignSplit::contribution(const Term& positivePart, const Term& negativePart, const at::Tensor& g) const {
  auto one = [&](const Term& t) { return layer.vjp(t, g).mul_(t.input); };
  return nonNegative ? one(positivePart) : one(positivePart) + one(negativePart);
}

}  // namespace lrp
