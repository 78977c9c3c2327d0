#include "plan.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "errors.h"
#include "node_forward.h"
#include "non_negative.h"
#include "profile.h"

namespace lrp {

namespace {

// Channels-last on the CPU for graphs with convolutions: oneDNN's convolutions and their input
// gradients run 1.2–1.5× faster on NHWC than on NCHW (docs/architecture.md, "Memory format").
// LRP_NODE_CHANNELS_LAST=0 keeps NCHW.
bool useChannelsLast(const Graph& graph, at::Device device) {
  const char* variable = std::getenv("LRP_NODE_CHANNELS_LAST");
  const std::string setting = variable ? variable : "";
  if (!setting.empty() && setting != "0" && setting != "1") {
    throw Error(ErrorCode::BadArgument, "LRP_NODE_CHANNELS_LAST must be 0 (NCHW) or 1 (channels-last, the default), got '" +
                                            setting + "'");
  }
  if (!device.is_cpu() || setting == "0") return false;
  for (const Node& node : graph.nodes()) {
    if (node.op == Op::Conv2d) return true;
  }
  return false;
}

}  // namespace

Plan::Plan(std::shared_ptr<const Graph> graph, at::Device device, at::ScalarType dtype)
    : graph_(std::move(graph)), device_(device), dtype_(dtype), channelsLast_(useChannelsLast(*graph_, device)) {
  const auto& nodes = graph_->nodes();
  params_.resize(nodes.size());
  for (size_t id = 0; id < nodes.size(); ++id) {
    for (const auto& [key, tensor] : nodes[id].params) {
      if (!tensor.defined()) continue;
      params_[id][key] = tensor.to(device_, dtype_, /*non_blocking=*/false, /*copy=*/false, layoutFor(tensor));
    }
  }
  lastUse_.assign(nodes.size(), -1);
  auto consumers = graph_->consumers();
  for (size_t id = 0; id < nodes.size(); ++id) {
    for (int c : consumers[id]) lastUse_[id] = std::max(lastUse_[id], c);
  }
  for (int out : graph_->outputs()) lastUse_[out] = static_cast<int>(nodes.size());
  for (size_t id = 0; id < nodes.size(); ++id) shapeDependencies_.push_back(graph_->shapeDependencies(id));
  borderBias_.resize(nodes.size());
  for (size_t id = 0; id < nodes.size(); ++id) {
    if (nodes[id].hasParam("border_weight")) borderBias_[id] = std::make_unique<BorderBiasCache>();
  }
  for (int input : graph_->inputs()) inputExpectations_.push_back(expectationFor(*graph_, input));
  nonNegative_ = nonNegativeByConstruction(*graph_);
}

at::MemoryFormat Plan::layoutFor(const at::Tensor& tensor) const {
  return channelsLast_ && tensor.dim() == 4 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
}

size_t Plan::parameterBytes() const {
  size_t bytes = 0;
  for (const auto& node : graph_->nodes()) {
    for (const auto& [key, tensor] : node.params) if (tensor.defined()) bytes += tensor.nbytes();
  }
  for (const auto& params : params_) {
    for (const auto& [key, tensor] : params) bytes += tensor.nbytes();
  }
  return bytes;
}

at::Tensor Plan::forward(const std::vector<at::Tensor>& inputs) const {
  return run(inputs, false).values.at(graph_->outputs().at(0));
}

Tape Plan::forwardWithTape(const std::vector<at::Tensor>& inputs) const { return run(inputs, true); }

at::Tensor Plan::runNode(int node, const std::vector<at::Tensor>& inputs, const SizeOf& sizeOf) const {
  return forwardNode(graph_->node(node), params_.at(node), inputs, sizeOf, borderBias_.at(node).get());
}

at::Tensor Plan::biasMap(int node, int64_t height, int64_t width) const {
  const auto& p = params_.at(node);
  BorderBias border = borderBias_.at(node)->get(graph_->node(node).attrs, p.at("border_weight"), height, width);
  at::Tensor residual = border.residual.to(device_, dtype_);
  return p.count("bias") ? residual + p.at("bias").view({-1, 1, 1}) : residual;
}

at::Tensor Plan::derived(int node, const std::string& key, const std::function<at::Tensor()>& make) const {
  std::lock_guard<std::mutex> lock(derivedMutex_);
  auto found = derived_.find({node, key});
  if (found != derived_.end()) return found->second;
  at::Tensor value = make();
  derived_[{node, key}] = value;
  return value;
}

Tape Plan::run(const std::vector<at::Tensor>& inputs, bool keepAll) const {
  checkInputs(*graph_, inputExpectations_, inputs);
  at::NoGradGuard noGrad;
  const auto& nodes = graph_->nodes();
  Tape tape;
  tape.values.resize(nodes.size());
  auto sizeOf = [&](int node, int64_t dim) { return tape.values.at(node).size(dim); };
  std::vector<at::Tensor> in;
  for (int id = 0; id < static_cast<int>(nodes.size()); ++id) {
    const Node& node = nodes[id];
    if (node.op == Op::Input) {
      const at::Tensor& input = inputs.at(node.attrs.i("index"));
      tape.values[id] = input.to(device_, dtype_, /*non_blocking=*/false, /*copy=*/false, layoutFor(input));  // one copy at most
      continue;
    }
    in.clear();
    for (int input : node.inputs) in.push_back(tape.values[input]);
    ProfileScope scope("forward", opName(node.op), &node.name);
    try {
      tape.values[id] = forwardNode(node, params_[id], in, sizeOf, borderBias_[id].get());
    } catch (const c10::Error& e) {
      throw Error(ErrorCode::BadShape, std::string("at layer '") + node.name + "' (" + opName(node.op) +
                                           "): " + firstLine(e.what_without_backtrace()));
    }
    if (!keepAll) {
      for (int input : node.inputs) {
        if (lastUse_[input] <= id) tape.values[input] = at::Tensor();
      }
      for (int dep : shapeDependencies_[id]) {
        if (lastUse_[dep] <= id) tape.values[dep] = at::Tensor();
      }
    }
  }
  return tape;
}

}  // namespace lrp
