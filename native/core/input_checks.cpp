#include "input_checks.h"

#include <cstdint>
#include <sstream>

#include "errors.h"
#include "ops/op_table.h"

namespace lrp {

namespace {

std::string shapeString(at::IntArrayRef sizes) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < sizes.size(); ++i) out << (i ? "," : "") << sizes[i];
  out << "]";
  return out.str();
}

// One read of the data: an IEEE value is NaN or infinite when all its exponent bits are set.
template <typename Bits>
bool allFiniteBits(const Bits* data, int64_t n, Bits exponent) {
  Bits any = 0;
  for (int64_t i = 0; i < n; ++i) any |= static_cast<Bits>((data[i] & exponent) == exponent);
  return any == 0;
}

bool allFinite(const at::Tensor& x) {
  if (x.is_cpu() && x.is_contiguous() && x.scalar_type() == at::kFloat) {
    return allFiniteBits(static_cast<const uint32_t*>(x.data_ptr()), x.numel(), uint32_t(0x7f800000));
  }
  if (x.is_cpu() && x.is_contiguous() && x.scalar_type() == at::kDouble) {
    return allFiniteBits(static_cast<const uint64_t*>(x.data_ptr()), x.numel(), uint64_t(0x7ff0000000000000));
  }
  return at::isfinite(x).all().item<bool>();
}

// An input whose sizes the ONNX model fixes (exported without a dynamic axis there) runs only at
// those sizes: its shape arithmetic may hold them as numbers.
void checkDeclaredShape(const std::string& label, const std::string& name, const std::vector<int64_t>& declared,
                        const at::Tensor& x) {
  if (declared.empty()) return;
  bool fits = x.dim() == static_cast<int64_t>(declared.size());
  for (size_t d = 0; fits && d < declared.size(); ++d) fits = declared[d] < 0 || x.size(static_cast<int64_t>(d)) == declared[d];
  if (fits) return;
  std::string expected = "[";
  for (size_t d = 0; d < declared.size(); ++d) expected += (d ? "," : "") + (declared[d] < 0 ? std::string("N") : std::to_string(declared[d]));
  throw Error(ErrorCode::BadShape, label + " has shape " + shapeString(x.sizes()) + ", but the ONNX model was exported for " +
                                       expected + "] only (N: a dynamic axis); to run it at other sizes, export it with " +
                                       "dynamic_axes={'" + name + "': {0: 'batch'}} (and any other axis that varies)");
}

}  // namespace

InputExpectation expectationFor(const Graph& graph, int inputNode) {
  auto consumers = graph.consumers();
  InputExpectation e;
  int current = inputNode;
  // A rank canonization assumed (shape_inference.h): the canonized function holds only for it.
  if (graph.node(inputNode).attrs.has("rank")) {
    e.rank = graph.node(inputNode).attrs.i("rank");
    e.layer = graph.node(inputNode).name;
    e.layerOp = "the canonized model";
  }
  if (graph.node(inputNode).attrs.has("shape")) e.declaredShape = graph.node(inputNode).attrs.ints("shape");
  while (true) {
    const auto& readers = consumers[current];
    if (readers.size() != 1) return e;
    const Node& n = graph.node(readers[0]);
    if (opInfo(n.op).elementwise) {
      current = readers[0];
      continue;
    }
    e.layer = n.name;
    e.layerOp = opName(n.op);
    const InputRequirement required = inputRequirement(n);
    if (required.rank >= 0) e.rank = required.rank;
    if (required.features >= 0) {
      e.featureDim = required.featureDim;
      e.features = required.features;
    }
    return e;
  }
}

void checkInputs(const Graph& graph, const std::vector<InputExpectation>& expected,
                 const std::vector<at::Tensor>& inputs) {
  const auto& ids = graph.inputs();
  if (inputs.size() != ids.size()) {
    throw Error(ErrorCode::BadInput, "the model takes " + std::to_string(ids.size()) + " input(s), got " +
                                         std::to_string(inputs.size()));
  }
  for (size_t k = 0; k < inputs.size(); ++k) {
    const at::Tensor& x = inputs[k];
    const std::string label = "input " + std::to_string(k) + " ('" + graph.node(ids[k]).name + "')";
    if (!x.defined()) throw Error(ErrorCode::BadInput, label + " is missing");
    if (!x.is_floating_point()) throw Error(ErrorCode::BadInput, label + " must be a floating-point tensor");
    const InputExpectation& e = expected[k];
    if (e.rank >= 0 && x.dim() != e.rank) {
      throw Error(ErrorCode::BadShape, label + " has shape " + shapeString(x.sizes()) + " (rank " +
                                           std::to_string(x.dim()) + "), but " + e.layerOp + " '" + e.layer +
                                           "' needs rank " + std::to_string(e.rank) +
                                           (e.rank == 4 ? " (N, C, H, W)" : ""));
    }
    checkDeclaredShape(label, graph.node(ids[k]).name, e.declaredShape, x);
    if (e.features >= 0) {
      int64_t dim = e.featureDim == kLastDim ? x.dim() - 1 : e.featureDim;
      if (dim < 0 || dim >= x.dim() || x.size(dim) != e.features) {
        throw Error(ErrorCode::BadShape, label + " has shape " + shapeString(x.sizes()) + ", but " + e.layerOp +
                                             " '" + e.layer + "' needs " + std::to_string(e.features) +
                                             (e.featureDim == kLastDim ? " features in the last dimension"
                                                                 : " channels in dimension 1"));
      }
    }
    if (x.numel() > 0 && !allFinite(x)) {
      auto bad = at::logical_not(at::isfinite(x)).flatten().nonzero();
      int64_t index = bad.size(0) > 0 ? bad[0].item<int64_t>() : -1;
      bool nan = at::isnan(x).any().item<bool>();
      throw Error(ErrorCode::BadInput, label + " contains " + (nan ? "NaN" : "infinite") +
                                           " values (first at flat index " + std::to_string(index) + ")");
    }
  }
}

}  // namespace lrp
