// A Plan is a Graph compiled for one device and dtype: parameters moved once, the last use of
// every value known, so a forward frees activations as soon as nothing reads them, or keeps all of
// them on a Tape for the backward passes of LRP rules.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "border_bias_conv.h"
#include "input_checks.h"
#include "node_forward.h"
#include "ir.h"

namespace lrp {

// The activations of one forward: the output of every node, indexed by node id.
struct Tape {
  std::vector<at::Tensor> values;
};

class Plan {
 public:
  Plan(std::shared_ptr<const Graph> graph, at::Device device, at::ScalarType dtype);

  const Graph& graph() const { return *graph_; }
  // Bytes held by the parameters: the graph's and their copies on the plan's device and dtype.
  size_t parameterBytes() const;
  std::shared_ptr<const Graph> sharedGraph() const { return graph_; }
  at::Device device() const { return device_; }
  at::ScalarType dtype() const { return dtype_; }

  // The model's output. Thread-safe: concurrent calls share only read-only parameters.
  at::Tensor forward(const std::vector<at::Tensor>& inputs) const;
  // The output and every intermediate activation.
  Tape forwardWithTape(const std::vector<at::Tensor>& inputs) const;

  // A node's parameters on the plan's device and dtype.
  const std::map<std::string, at::Tensor>& params(int node) const { return params_.at(node); }
  // One node's forward on given inputs (LRP rules recompute nodes with modified inputs).
  at::Tensor runNode(int node, const std::vector<at::Tensor>& inputs, const SizeOf& sizeOf) const;
  // A folded convolution's whole bias at an input size: bias + border map, (C, H_out, W_out).
  at::Tensor biasMap(int node, int64_t height, int64_t width) const;
  // A tensor derived from a node's parameters (e.g. W⁺ = max(W, 0) for the sign-split rules),
  // made on first use and kept for the Plan's life. Thread-safe.
  at::Tensor derived(int node, const std::string& key, const std::function<at::Tensor()>& make) const;
  // The node's output is ≥ 0 whatever the input (non_negative.h).
  bool nonNegative(int node) const { return nonNegative_.at(node); }

 private:
  // The memory format this plan keeps a tensor of that rank in.
  at::MemoryFormat layoutFor(const at::Tensor& tensor) const;
  Tape run(const std::vector<at::Tensor>& inputs, bool keepAll) const;

  std::shared_ptr<const Graph> graph_;
  at::Device device_;
  at::ScalarType dtype_;
  std::vector<std::map<std::string, at::Tensor>> params_;
  std::vector<int> lastUse_;
  std::vector<std::vector<int>> shapeDependencies_;
  std::vector<InputExpectation> inputExpectations_;
  std::vector<std::unique_ptr<BorderBiasCache>> borderBias_;  // per node; set for folded padded convs
  std::vector<bool> nonNegative_;
  bool channelsLast_;  // 4-D activations and weights in NHWC memory (useChannelsLast in plan.cpp)
  mutable std::mutex derivedMutex_;
  mutable std::map<std::pair<int, std::string>, at::Tensor> derived_;
};

}  // namespace lrp
