#include "node_forward.h"

#include "errors.h"
#include "thresh_relu.h"

namespace lrp {

namespace {

at::Tensor optionalParam(const std::map<std::string, at::Tensor>& params, const std::string& key) {
  auto it = params.find(key);
  return it == params.end() ? at::Tensor() : it->second;
}

}  // namespace

at::Tensor forwardNode(const Node& node, const std::map<std::string, at::Tensor>& params,
                       const std::vector<at::Tensor>& in, const SizeOf& sizeOf, BorderBiasCache* borderBias) {
  const Attributes& a = node.attrs;
  switch (node.op) {
    case Op::Input:
      throw Error(ErrorCode::Internal, "input nodes are not executed");
    case Op::Constant:
      return params.at("value");
    case Op::Conv2d:
      if (params.count("border_weight")) {
        return convWithBorderBias(in[0], params.at("weight"), optionalParam(params, "bias"),
                                  params.at("border_weight"), a, *borderBias);
      }
      return at::conv2d(in[0], params.at("weight"), optionalParam(params, "bias"), a.ints("stride"),
                        a.ints("padding"), a.ints("dilation"), a.i("groups"));
    case Op::Linear:
      return at::linear(in[0], params.at("weight"), optionalParam(params, "bias"));
    case Op::BatchNorm:
      return at::batch_norm(in[0], params.at("weight"), params.at("bias"), params.at("running_mean"),
                            params.at("running_var"), /*training=*/false, /*momentum=*/0.0, a.f("eps"),
                            /*cudnn_enabled=*/true);
    case Op::Relu:
      return at::relu(in[0]);
    case Op::ThreshRelu:
      return threshRelu(in[0], params.at("threshold"), params.at("direction"));
    case Op::Silu:
      return at::silu(in[0]);
    case Op::Sigmoid:
      return at::sigmoid(in[0]);
    case Op::MaxPool2d:
      return at::max_pool2d(in[0], a.ints("kernel"), a.ints("stride"), a.ints("padding"), a.ints("dilation"),
                            a.b("ceil_mode"));
    case Op::AvgPool2d: {
      int64_t divisor = a.i("divisor");
      return at::avg_pool2d(in[0], a.ints("kernel"), a.ints("stride"), a.ints("padding"), a.b("ceil_mode"),
                            a.b("count_include_pad"), divisor > 0 ? c10::optional<int64_t>(divisor) : c10::nullopt);
    }
    case Op::AdaptiveAvgPool2d:
      return at::adaptive_avg_pool2d(in[0], a.ints("output_size"));
    case Op::Flatten:
      return at::flatten(in[0], a.i("start"), a.i("end"));
    case Op::Reshape:
      return in[0].reshape(evaluateSizes(a.sizes("shape"), sizeOf));
    case Op::Add:
      return in.size() == 2 ? at::add(in[0], in[1]) : at::add(in[0], a.f("scalar"));
    case Op::Mul:
      return in.size() == 2 ? at::mul(in[0], in[1]) : at::mul(in[0], a.f("scalar"));
    case Op::Cat:
      return at::cat(in, a.i("dim"));
    case Op::Sum: {
      const auto& dims = a.ints("dims");
      return dims.empty() ? at::sum(in[0]) : at::sum(in[0], dims, a.b("keepdim"));
    }
    case Op::Mean: {
      const auto& dims = a.ints("dims");
      return dims.empty() ? at::mean(in[0]) : at::mean(in[0], dims, a.b("keepdim"));
    }
    case Op::Unsqueeze:
      return at::unsqueeze(in[0], a.i("dim"));
    case Op::Expand:
      return in[0].expand(evaluateSizes(a.sizes("shape"), sizeOf));
    case Op::Repeat:
      return in[0].repeat(evaluateSizes(a.sizes("repeats"), sizeOf));
    case Op::Permute:
      return in[0].permute(a.ints("dims"));
    case Op::Transpose:
      return in[0].transpose(a.i("dim0"), a.i("dim1"));
  }
  throw Error(ErrorCode::Internal, std::string("no forward for op ") + opName(node.op));
}

}  // namespace lrp
