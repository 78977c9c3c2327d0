// A tensor the forward computes from sizes and stored data only, never from the input's values:
// Swin's shifted-window attention mask (zeros of the padded feature map's size, filled region by
// region, compared and masked_fill'ed), a scale (C // heads) ** -0.5 of a traced size. The
// TorchScript importer keeps such a subgraph as TorchScript (the nodes the trace recorded, in
// order, in-place fills included) and the IR node `from_sizes` replays it with the run's sizes:
// it has no data inputs, so relevance stops there like at a stored constant, and no operator of
// it needs a relevance rule. A subgraph of stored data alone is replayed once, at import.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "ir.h"

namespace torch::jit {
struct Graph;
}

namespace lrp {

struct SizeProgram {
  std::shared_ptr<torch::jit::Graph> graph;  // inputs: the sizes, in order; one output
  std::vector<bool> sizeAsTensor;            // an input the trace holds as a 0-dim long tensor
  std::string output;                        // the TorchScript op whose result it is, e.g. "aten::masked_fill"
  std::shared_ptr<void> code;                // the compiled interpreter code (size_program.cpp)
};

ProgramRef makeSizeProgram(std::shared_ptr<torch::jit::Graph> graph, std::vector<bool> sizeAsTensor,
                           std::string output);
// Runs the program on `sizes` (one per graph input); a failure names `node` (the IR node running it).
at::Tensor runSizeProgram(const SizeProgram& program, const std::vector<int64_t>& sizes, const std::string& node);
// "TorchScript: aten::new_zeros, aten::slice, … → aten::masked_fill (12 nodes)", for describe.
std::string describeProgram(const SizeProgram& program);

}  // namespace lrp
