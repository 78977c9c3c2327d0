// The product of two computed tensors (QKᵀ and attention·V as matmul / bmm, or an element-wise
// gate): AttnLRP (Achtibat et al. ICML 2024) and CP-LRP (Ali et al. ICML 2022).
//   uniform (Prop. 3.2, 3.3): the ε-rule on the product, then its relevance split evenly between
//     the n computed operands:
//       R_k = x_k ⊙ (∂y/∂x_k)ᵀ (R / stab_ε(n·y))
//     for y = a·b: R_a = R_b ≈ R/2; for y = AB: R_A = A ⊙ (g Bᵀ), R_B = B ⊙ (Aᵀ g), g = R / stab(2y).
//   constant-attention (CP-LRP): the operand that is a softmax's output (through reshapes) is held
//     constant, so the product is linear in the other operand, which takes all relevance by the
//     ε-rule: for y = A V, R_V = V ⊙ (Aᵀ g), g = R / stab(y); none flows into the softmax, the
//     query-key path. A product with no softmax operand (not attention weights) gets `uniform`.
#include "../errors.h"
#include "../ops/op_table.h"
#include "../stabilized_divide.h"
#include "node_gradients.h"
#include "rule_family.h"

namespace lrp {

namespace {

// A product of two computed tensors (a mul by a number or a stored tensor is elementwise).
bool isProduct(const OpInfo&, Category category) {
  return category == Category::AttentionProduct || category == Category::Product;
}

// Input k ⊙ (∂y/∂x_k)ᵀ g for the inputs in `wanted`; a batched matrix product without
// broadcasting takes its two transposed products directly, anything else autograd's.
std::vector<at::Tensor> contributions(const NodeContext& c, const at::Tensor& g, std::vector<bool> wanted) {
  const at::Tensor &a = c.x[0], &b = c.x[1];
  std::vector<at::Tensor> out(2);
  const bool plainMatmul = c.node.op == Op::MatMul && a.dim() >= 2 && a.dim() == b.dim() &&
                           a.sizes().slice(0, a.dim() - 2).equals(b.sizes().slice(0, b.dim() - 2));
  if (plainMatmul) {
    if (wanted[0]) out[0] = at::matmul(g, b.transpose(-1, -2)).mul_(a);
    if (wanted[1]) out[1] = at::matmul(a.transpose(-1, -2), g).mul_(b);
    return out;
  }
  auto grads = nodeVjp(c, g);
  for (size_t k = 0; k < 2; ++k) {
    if (wanted[k] && grads[k].defined()) out[k] = c.x[k] * grads[k];
  }
  return out;
}

std::vector<at::Tensor> uniform(const NodeContext& c) {
  return contributions(c, stabilizedDivide(c.R, 2 * c.y, c.rule.epsilon), {true, true});
}

// Whether the value `id` is a softmax's output, read through reshapes and broadcasts.
bool fromSoftmax(const Graph& graph, int id) {
  for (;;) {
    const Node& node = graph.node(id);
    if (node.op == Op::Softmax) return true;
    const Category category = nodeCategory(node);
    if ((category != Category::Reshape && category != Category::Broadcast) || node.inputs.size() != 1) return false;
    id = node.inputs[0];
  }
}

std::vector<at::Tensor> constantAttention(const NodeContext& c) {
  const Graph& graph = c.plan.graph();
  const bool first = fromSoftmax(graph, c.node.inputs[0]), second = fromSoftmax(graph, c.node.inputs[1]);
  if (first && second) {
    throw Error(ErrorCode::BadArgument,
                "rule 'constant-attention' needs one operand that is not a softmax's output, at " + nodeLabel(c.node));
  }
  if (!first && !second) return uniform(c);
  return contributions(c, stabilizedDivide(c.R, c.y, c.rule.epsilon), {!first, first});
}

}  // namespace

LRP_NODE_RULE(uniform, "uniform", uniform, isProduct, "epsilon");
LRP_NODE_RULE(constantAttention, "constant-attention", constantAttention, isProduct, "epsilon");

}  // namespace lrp
