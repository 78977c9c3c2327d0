// The classes to explain: one per sample, kArgmax meaning "the class with the largest logit",
// checked against the model's output once, for every method.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

namespace lrp {

constexpr int64_t kArgmax = -1;

// `logits` is the model's output (N, classes); returns each sample's class index.
std::vector<int64_t> resolveTargets(const at::Tensor& logits, const std::vector<int64_t>& targets);

}  // namespace lrp
