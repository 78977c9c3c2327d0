// 2-d poolings over (N, C, H, W): max pooling and the average poolings.
#include "op_families.h"

namespace lrp {

namespace {

// Pooling windows: aten::*_pool2d(input, kernel, stride, padding, ...); an empty stride means the kernel.
void importWindow(const TorchScriptArgs& a, Attributes& attrs) {
  auto kernel = a.ints(1);
  auto stride = a.ints(2);
  attrs.set("kernel", kernel);
  attrs.set("stride", stride.empty() ? kernel : stride);
  attrs.set("padding", a.ints(3));
}

// (N, C, H', W') with H', W' from the window, or unknown with ceil_mode.
MaybeShape windowShape(const ShapeArgs& a, const std::vector<int64_t>& dilation) {
  if (a.rank() != 4) return std::nullopt;
  const StaticDims& in = *a.in();
  const Attributes& attrs = a.node.attrs;
  StaticDims out{in[0], in[1], std::nullopt, std::nullopt};
  if (!attrs.b("ceil_mode")) {
    const auto &k = attrs.ints("kernel"), &st = attrs.ints("stride"), &pad = attrs.ints("padding");
    for (int d = 0; d < 2; ++d) out[2 + d] = windowOutput(in[2 + d], k[d], st[d], pad[d], dilation[d]);
  }
  return out;
}

// A pooling over (N, C, H, W) imported from aten::<name>.
template <typename Import>
OpInfo pooling(Op kind, const char* name, Category category, ForwardFn forward, ShapeFn shape, Import import) {
  OpInfo op = atenOp(kind, name, category, forward, shape, import);
  op.requiredInputRank = 4;
  op.sign = SignFlow::FromInputs;
  return op;
}

// --- max_pool2d -----------------------------------------------------------------------------

at::Tensor maxPoolForward(const ForwardArgs& a) {
  const Attributes& attrs = a.node.attrs;
  return at::max_pool2d(a.in[0], attrs.ints("kernel"), attrs.ints("stride"), attrs.ints("padding"),
                        attrs.ints("dilation"), attrs.b("ceil_mode"));
}

MaybeShape maxPoolShape(const ShapeArgs& a) { return windowShape(a, a.node.attrs.ints("dilation")); }

// aten::max_pool2d(input, kernel, stride, padding, dilation, ceil_mode)
ImportedNode maxPoolImport(const TorchScriptArgs& a) {
  ImportedNode node{Op::MaxPool2d};
  importWindow(a, node.attrs);
  node.attrs.set("dilation", a.ints(4));
  node.attrs.set("ceil_mode", a.flag(5));
  node.inputs = {a.tensor(0)};
  return node;
}

OpInfo maxPool2d() {
  OpInfo op = pooling(Op::MaxPool2d, "max_pool2d", Category::MaxPooling, maxPoolForward, maxPoolShape, maxPoolImport);
  op.relevance = DefaultRelevance::ArgmaxRouting;
  op.channelFlow = ChannelFlow::MaxWindow;
  return op;
}

// --- avg_pool2d -----------------------------------------------------------------------------

at::Tensor avgPoolForward(const ForwardArgs& a) {
  const Attributes& attrs = a.node.attrs;
  int64_t divisor = attrs.i("divisor");
  return at::avg_pool2d(a.in[0], attrs.ints("kernel"), attrs.ints("stride"), attrs.ints("padding"),
                        attrs.b("ceil_mode"), attrs.b("count_include_pad"),
                        divisor > 0 ? c10::optional<int64_t>(divisor) : c10::nullopt);
}

MaybeShape avgPoolShape(const ShapeArgs& a) { return windowShape(a, {1, 1}); }

// aten::avg_pool2d(input, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
ImportedNode avgPoolImport(const TorchScriptArgs& a) {
  ImportedNode node{Op::AvgPool2d};
  importWindow(a, node.attrs);
  node.attrs.set("ceil_mode", a.flag(4));
  node.attrs.set("count_include_pad", a.flag(5));
  node.attrs.set("divisor", a.isNone(6) ? int64_t(0) : a.integer(6));
  node.inputs = {a.tensor(0)};
  return node;
}

OpInfo avgPool2d() {
  OpInfo op =
      pooling(Op::AvgPool2d, "avg_pool2d", Category::AveragePooling, avgPoolForward, avgPoolShape, avgPoolImport);
  op.channelFlow = ChannelFlow::AverageWindow;
  return op;
}

// --- adaptive_avg_pool2d --------------------------------------------------------------------

at::Tensor adaptiveAvgPoolForward(const ForwardArgs& a) {
  return at::adaptive_avg_pool2d(a.in[0], a.node.attrs.ints("output_size"));
}

MaybeShape adaptiveAvgPoolShape(const ShapeArgs& a) {
  if (a.rank() != 4) return std::nullopt;
  const StaticDims& in = *a.in();
  const auto& size = a.node.attrs.ints("output_size");
  return StaticDims{in[0], in[1], constantSize(size[0]), constantSize(size[1])};
}

OpInfo adaptiveAvgPool2d() {
  OpInfo op = pooling(Op::AdaptiveAvgPool2d, "adaptive_avg_pool2d", Category::AveragePooling, adaptiveAvgPoolForward,
                      adaptiveAvgPoolShape, std::vector<ArgAttr>{{"output_size", ArgAttr::Ints, 1}});
  op.channelFlow = ChannelFlow::AdaptiveAverage;
  return op;
}

}  // namespace

std::vector<OpInfo> poolingOps() { return {maxPool2d(), avgPool2d(), adaptiveAvgPool2d()}; }

}  // namespace lrp
