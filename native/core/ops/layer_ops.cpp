// Layers with weights: convolution and linear (the LRP layer rules act on them; a folded batch
// norm ends in them), and batch norm (which canonization folds away).
#include "../errors.h"
#include "op_families.h"

namespace lrp {

namespace {

std::vector<int64_t> expandPair(std::vector<int64_t> v) { return v.size() == 1 ? std::vector<int64_t>{v[0], v[0]} : v; }

// --- conv2d ---------------------------------------------------------------------------------

at::Tensor convForward(const ForwardArgs& a) {
  if (a.params.count("border_weight")) {
    return convWithBorderBias(a.in[0], a.param("weight"), a.optionalParam("bias"), a.param("border_weight"),
                              a.node.attrs, *a.borderBias);
  }
  const Attributes& attrs = a.node.attrs;
  return at::conv2d(a.in[0], a.param("weight"), a.optionalParam("bias"), attrs.ints("stride"),
                    attrs.ints("padding"), attrs.ints("dilation"), attrs.i("groups"));
}

MaybeShape convShape(const ShapeArgs& a) {
  if (a.rank() != 4) return std::nullopt;
  const StaticDims& in = *a.in();
  const auto& k = a.node.param("weight").sizes();
  const Attributes& attrs = a.node.attrs;
  const auto &st = attrs.ints("stride"), &pad = attrs.ints("padding"), &dil = attrs.ints("dilation");
  return StaticDims{in[0], constantSize(k[0]), windowOutput(in[2], k[2], st[0], pad[0], dil[0]),
                    windowOutput(in[3], k[3], st[1], pad[1], dil[1])};
}

// aten::_convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
// groups, ...) and aten::conv2d(input, weight, bias, stride, padding, dilation, groups).
ImportedNode convImport(const TorchScriptArgs& a) {
  const bool convolution = a.kind() == "aten::_convolution";
  if (convolution && a.flag(6)) a.unsupported("transposed convolution (aten::_convolution, transposed=True)");
  at::Tensor weight = a.weight(1);
  if (weight.dim() != 4) {
    a.unsupported(a.kind() + " with a " + std::to_string(weight.dim() - 2) + "-d kernel (only conv2d)");
  }
  if (a.isString(4)) a.unsupported(a.kind() + " with string padding");
  ImportedNode node{Op::Conv2d};
  node.suffix = "conv2d";
  node.attrs.set("stride", expandPair(a.ints(3)));
  node.attrs.set("padding", expandPair(a.ints(4)));
  node.attrs.set("dilation", expandPair(a.ints(5)));
  node.attrs.set("groups", a.integer(convolution ? 8 : 6));
  node.params["weight"] = weight;
  if (!a.isNone(2)) node.params["bias"] = a.weight(2);
  node.inputs = {a.tensor(0)};
  return node;
}

InputRequirement convRequirement(const Node& node) {
  return {4, 1, node.param("weight").size(1) * node.attrs.i("groups")};
}

OpInfo conv2d() {
  OpInfo op = atenOp(Op::Conv2d, "conv2d", Category::Convolution, convForward, convShape, convImport);
  op.torchScriptKinds.push_back("aten::_convolution");
  op.relevance = DefaultRelevance::LayerRule;
  op.requiredInputRank = 4;
  op.inputRequirement = convRequirement;
  op.channelFlow = ChannelFlow::Absorbs;
  return op;
}

// --- linear ---------------------------------------------------------------------------------

at::Tensor linearForward(const ForwardArgs& a) {
  return at::linear(a.in[0], a.param("weight"), a.optionalParam("bias"));
}

MaybeShape linearShape(const ShapeArgs& a) {
  if (a.rank() < 1) return std::nullopt;
  MaybeShape out = a.in();
  out->back() = constantSize(a.node.param("weight").size(0));
  return out;
}

// aten::linear(input, weight, bias)
ImportedNode linearImport(const TorchScriptArgs& a) {
  ImportedNode node{Op::Linear};
  node.params["weight"] = a.weight(1);
  if (!a.isNone(2)) node.params["bias"] = a.weight(2);
  node.inputs = {a.tensor(0)};
  return node;
}

InputRequirement linearRequirement(const Node& node) { return {-1, kLastDim, node.param("weight").size(1)}; }

OpInfo linear() {
  OpInfo op = atenOp(Op::Linear, "linear", Category::Dense, linearForward, linearShape, linearImport);
  op.relevance = DefaultRelevance::LayerRule;
  op.featureLayer = true;
  op.inputRequirement = linearRequirement;
  op.channelFlow = ChannelFlow::Absorbs;
  return op;
}

// --- batch_norm -----------------------------------------------------------------------------

at::Tensor batchNormForward(const ForwardArgs& a) {
  return at::batch_norm(a.in[0], a.param("weight"), a.param("bias"), a.param("running_mean"),
                        a.param("running_var"), /*training=*/false, /*momentum=*/0.0, a.node.attrs.f("eps"),
                        /*cudnn_enabled=*/true);
}

MaybeShape batchNormShape(const ShapeArgs& a) {
  return withChannels(a.in(), a.node.param("running_mean").size(0));
}

// aten::batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn)
ImportedNode batchNormImport(const TorchScriptArgs& a) {
  if (a.flag(5)) a.unsupported("aten::batch_norm in training mode (trace the model after model.eval())");
  at::Tensor mean = a.weight(3), var = a.weight(4);
  if (!mean.defined() || !var.defined()) a.unsupported("aten::batch_norm without running statistics");
  ImportedNode node{Op::BatchNorm};
  node.params["weight"] = a.isNone(1) ? at::ones_like(mean) : a.weight(1);
  node.params["bias"] = a.isNone(2) ? at::zeros_like(mean) : a.weight(2);
  node.params["running_mean"] = mean;
  node.params["running_var"] = var;
  node.attrs.set("eps", a.number(7));
  node.inputs = {a.tensor(0)};
  return node;
}

InputRequirement batchNormRequirement(const Node& node) { return {-1, 1, node.param("running_mean").size(0)}; }

OpInfo batchNorm() {
  OpInfo op =
      atenOp(Op::BatchNorm, "batch_norm", Category::BatchNorm, batchNormForward, batchNormShape, batchNormImport);
  op.featureLayer = true;
  op.inputRequirement = batchNormRequirement;
  return op;
}

}  // namespace

std::vector<OpInfo> layerOps() { return {conv2d(), linear(), batchNorm()}; }

}  // namespace lrp
