#include "size_program.h"

#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/runtime/interpreter.h>

#include "errors.h"

namespace lrp {

namespace jit = torch::jit;

ProgramRef makeSizeProgram(std::shared_ptr<jit::Graph> graph, std::vector<bool> sizeAsTensor, std::string output) {
  auto program = std::make_shared<SizeProgram>();
  program->code = std::make_shared<jit::Code>(graph, "from_sizes");
  program->graph = std::move(graph);
  program->sizeAsTensor = std::move(sizeAsTensor);
  program->output = std::move(output);
  return program;
}

at::Tensor runSizeProgram(const SizeProgram& program, const std::vector<int64_t>& sizes, const std::string& node) {
  jit::Stack stack;
  for (size_t k = 0; k < sizes.size(); ++k) {
    if (program.sizeAsTensor.at(k)) stack.emplace_back(at::scalar_tensor(sizes[k], at::kLong));
    else stack.emplace_back(sizes[k]);
  }
  at::NoGradGuard noGrad;
  try {
    jit::InterpreterState(*std::static_pointer_cast<jit::Code>(program.code)).run(stack);
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::BadShape, "at layer '" + node + "' (" + program.output +
                                         " computed from the input's sizes): " + firstLine(e.what_without_backtrace()));
  }
  if (stack.size() != 1 || !stack[0].isTensor()) {
    throw Error(ErrorCode::Internal, "a program computed from sizes did not return one tensor");
  }
  return stack[0].toTensor();
}

std::string describeProgram(const SizeProgram& program) {
  std::string ops;
  int count = 0;
  for (const jit::Node* n : program.graph->nodes()) {
    if (n->kind() == c10::prim::Constant || n->kind() == c10::prim::ListConstruct) continue;
    const std::string kind = n->kind().toQualString();
    if (ops.find(kind) == std::string::npos) ops += (ops.empty() ? "" : ", ") + kind;
    ++count;
  }
  return "TorchScript: " + ops + " → " + program.output + " (" + std::to_string(count) + " nodes)";
}

}  // namespace lrp
