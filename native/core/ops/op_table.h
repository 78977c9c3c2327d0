// The operator table: for each IR operator, everything the other stages need to know about it —
// its name, arity, category, forward, static shape rule, how it is imported from TorchScript,
// what relevance it gets without a rule, and how canonization sees it. Each operator is
// registered once, in a family file of this folder (op_families.h); the importer, executor,
// shape inference, input checks, canonization and propagation consult the table instead of
// switching over operator kinds. The binding reports it (`ops()`), and docs/operators.md's
// tables of operators and categories are generated from that report (npm run docs:tables).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "../border_bias_conv.h"
#include "../ir.h"
#include "static_shape.h"

namespace lrp {

// A layer's role, as composites match layers (zennit's layer types): reaches TypeScript as the
// `category` of each layer, named by categoryName (whose switch is the one list of categories:
// allCategories() walks it). Which operators have each category: docs/operators.md.
enum class Category {
  Input,
  Constant,
  Convolution,          // a linear layer with weights (the layer rules)
  Dense,                // a linear layer with weights (the layer rules)
  BatchNorm,
  Activation,
  ThreshRelu,           // canonization's ReLU after a folded batch norm: no composite places a rule on it
  MaxPooling,
  AveragePooling,       // average poolings and means over dimensions
  Sum,                  // a sum of two computed tensors, or over dimensions
  Elementwise,          // a tensor plus or times a number or a tensor read as data
  Product,              // a product of two computed tensors (a gate when one side is a sigmoid's output)
  Concat,
  Reshape,              // moves or picks elements
  Broadcast,            // copies elements
  LayerNorm,            // normalizes over the trailing axes (AttnLRP: std held constant)
  Softmax,              // softmax over one axis (attention weights)
  LogSoftmax,           // log_softmax over one axis: no composite places a rule on it
  AttentionProduct,     // a matrix product of two computed tensors (QKᵀ, attention·V)
};

const char* categoryName(Category category);  // nullptr past the last category
// Every category, in declaration order.
std::vector<Category> allCategories();
inline bool isWeightedLayer(Category c) { return c == Category::Convolution || c == Category::Dense; }

// What a node gets from LRP when no rule is placed on it.
enum class DefaultRelevance {
  Source,         // a graph input or constant: relevance stops here
  LayerRule,      // conv/linear: the layer rules (rules/, their onLayer), the gradient without a rule
  ActiveMask,     // the ReLU family: R where the unit is active (its gradient); ReLU rules apply
  ArgmaxRouting,  // max pooling: each window's relevance goes to its argmax
  Gate,           // a product marked as a gate: the signal takes it all (when enabled), else gradient
  Gradient,       // the vector-Jacobian product through autograd
};

const char* relevanceName(DefaultRelevance relevance);  // "layer-rule", "active-mask", ...

// How a per-channel affine map (a batch norm to fold) travels through the operator on its way to
// the linear layers that absorb it (batch_norm_fold.cpp).
enum class ChannelFlow {
  Blocks,           // not linear in its input, or not handled: the fold stops here
  Absorbs,          // a linear layer takes the map into its weights (reads `inputRequirement`)
  MaxWindow,        // max pooling over the spatial axes: commutes with a positive scale
  AverageWindow,    // average pooling: commutes with a shift unless padding counts or a divisor is set
  AdaptiveAverage,  // adaptive average pooling over the spatial axes
  MeanOverDims,     // a mean over dimensions other than the channel axis
  Reshape,          // flatten / reshape: the channel axis survives or merges with later axes
  Permute,
  Transpose,
  Unsqueeze,
  Broadcast,        // expand / repeat along other axes
  Concat,           // the channels land at an offset along the concatenated axis
};

// Squeeze-excitation gates (structural.h): a sigmoid makes a gate, and a gate read through a
// reshape or an expand is still one.
enum class GateRole { None, Source, Carrier };

// Whether an operator's output is ≥ 0 by the graph's construction (non_negative.h), given its
// node and whether every input is.
enum class SignFlow {
  Unknown,        // may be negative
  NonNegative,    // always ≥ 0 (relu, sigmoid)
  FromInputs,     // ≥ 0 when all its inputs are (poolings, sums, shape and selection operators)
  FromComputed,   // ≥ 0 when it has two inputs and both are (add/mul; an operand read as data may be negative)
};

// What a layer fixes about the tensor it reads (input_checks.h, batch_norm_fold.cpp).
struct InputRequirement {
  int64_t rank = -1;        // -1: any
  int64_t featureDim = -1;  // the dimension whose size is fixed; kLastDim: the last one; -1: none
  int64_t features = -1;    // its size
};
constexpr int64_t kLastDim = -2;

using SizeOf = std::function<int64_t(int node, int64_t dim)>;

// One node's forward: `params` are its parameters on the plan's device and dtype; `borderBias` is
// the node's cache when it is a convolution with a folded border bias.
struct ForwardArgs {
  const Node& node;
  const std::map<std::string, at::Tensor>& params;
  const std::vector<at::Tensor>& in;
  const SizeOf& sizeOf;
  BorderBiasCache* borderBias;

  const at::Tensor& param(const std::string& key) const { return params.at(key); }
  at::Tensor optionalParam(const std::string& key) const;
};

// One node's static shape from its inputs' shapes (nullopt when they are unknown).
struct ShapeArgs {
  const Node& node;
  std::vector<const MaybeShape*> inputs;

  const MaybeShape& in(size_t k = 0) const { return *inputs.at(k); }
  int64_t rank() const { return inputs.empty() || !*inputs[0] ? -1 : static_cast<int64_t>((*inputs[0])->size()); }
};

// The arguments of one TorchScript call, by position, as an operator's importer reads them. Each
// accessor throws the importer's "unsupported operator" error when the argument is not of its kind.
class TorchScriptArgs {
 public:
  virtual ~TorchScriptArgs() = default;
  virtual const std::string& kind() const = 0;  // e.g. "aten::conv2d"
  virtual size_t count() const = 0;
  virtual bool isNone(size_t i) const = 0;
  virtual bool isString(size_t i) const = 0;
  virtual std::string string(size_t i) const = 0;
  virtual bool isNumber(size_t i) const = 0;  // a constant int or float, not a tensor
  // A constant int or float, or a one-element tensor read as data (tracing records `x + 0.5` with
  // a 0-dim tensor constant where scripting records the number).
  virtual std::optional<double> scalar(size_t i) const = 0;
  // A tensor read as data (a constant, a parameter or a buffer), not computed in the forward.
  virtual bool isData(size_t i) const = 0;
  // A tensor the forward computes from sizes and stored data only (size_program.h): data too, but
  // known only when the graph runs (Swin's attention mask).
  virtual bool isFromSizes(size_t) const { return false; }
  virtual int tensor(size_t i) const = 0;     // the node producing a tensor argument
  virtual std::vector<int> tensors(size_t i) const = 0;
  virtual int64_t integer(size_t i) const = 0;
  virtual double number(size_t i) const = 0;
  virtual bool flag(size_t i) const = 0;
  virtual std::vector<int64_t> ints(size_t i) const = 0;
  virtual SizeList sizes(size_t i) const = 0;
  virtual at::Tensor weight(size_t i) const = 0;  // a float32 copy of a parameter; undefined for None
  [[noreturn]] virtual void unsupported(const std::string& what) const = 0;
};

// A node an importer makes; the importer names it (module path, or parent path + suffix).
struct ImportedNode {
  Op op;
  std::vector<int> inputs;
  Attributes attrs;
  std::map<std::string, at::Tensor> params;
  std::string suffix;  // "" : the TorchScript op's name (aten::view -> "view", aten::relu_ -> "relu")
};

// An attribute read from one positional argument of a TorchScript call, for operators whose import
// is "input 0 is the tensor, these arguments are attributes" (aten::transpose(x, dim0, dim1)).
struct ArgAttr {
  enum Kind { Integer, Ints, Sizes };
  const char* key;
  Kind kind;
  size_t index;
};

using ForwardFn = at::Tensor (*)(const ForwardArgs&);
using ShapeFn = MaybeShape (*)(const ShapeArgs&);
using ImportFn = ImportedNode (*)(const TorchScriptArgs&);
// An op returning a list of tensors (aten::chunk): one node per item, read by prim::ListUnpack.
using ImportListFn = std::vector<ImportedNode> (*)(const TorchScriptArgs&);
using SignFn = SignFlow (*)(const Node&);

struct OpInfo {
  OpInfo(Op op, const char* name, Category category) : op(op), name(name), category(category) {}

  Op op;
  const char* name;
  Category category;
  Category (*categoryOf)(const Node&) = nullptr;  // set when the category depends on the node,
  std::vector<Category> otherCategories;          // with what else it may give (nodeCategory checks)
  int minInputs = 1, maxInputs = 1;               // maxInputs -1: any number
  DefaultRelevance relevance = DefaultRelevance::Gradient;
  ForwardFn forward = nullptr;
  ShapeFn shape = nullptr;                    // nullptr: unknown shape
  std::vector<std::string> torchScriptKinds;  // TorchScript ops imported as this operator
  ImportFn fromTorchScript = nullptr;  // or, when unset, the attributes below
  ImportListFn fromTorchScriptList = nullptr;  // set instead for an op that returns a list of tensors
  std::vector<ArgAttr> torchScriptAttrs;
  // One input, output of the same shape: input checks and rank inference look through it.
  bool elementwise = false;
  // Reads its features along a fixed axis (batch norm, linear): a graph input it reads with no
  // rank known otherwise is taken as (N, features) (shape_inference.h).
  bool featureLayer = false;
  int64_t requiredInputRank = -1;  // conv and 2-d poolings need rank 4
  InputRequirement (*inputRequirement)(const Node&) = nullptr;
  ChannelFlow channelFlow = ChannelFlow::Blocks;
  GateRole gate = GateRole::None;
  SignFlow sign = SignFlow::Unknown;
  SignFn signOf = nullptr;  // set when the sign depends on the node's attributes (hardtanh's bounds)
};

const OpInfo& opInfo(Op op);
// Every registered operator, in the order of Op.
std::vector<const OpInfo*> registeredOps();
// The operator a TorchScript op kind is imported as, or nullptr.
const OpInfo* opForTorchScript(const std::string& kind);
// The node `info` makes of one TorchScript call of one of its torchScriptKinds.
ImportedNode importFromTorchScript(const OpInfo& info, const TorchScriptArgs& args);
Category nodeCategory(const Node& node);
SignFlow nodeSign(const Node& node);
InputRequirement inputRequirement(const Node& node);  // the default (nothing fixed) when none

}  // namespace lrp
