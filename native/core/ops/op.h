// The operator kinds of the graph IR. Everything else known about an operator (its name, arity,
// category, forward, shape rule, import and default relevance) is its entry in the operator
// table (op_table.h); an operator is registered in one family file of this folder.
#pragma once

namespace lrp {

enum class Op {
  Input,              // a model argument; attr "index"
  Constant,           // a tensor buffer used as data; param "value"
  Conv2d,             // params weight, bias?; attrs stride, padding, dilation (lists), groups
  Linear,             // params weight, bias?
  BatchNorm,          // params weight, bias, running_mean, running_var; attr eps
  Relu,
  ThreshRelu,         // canonization's ReLU after a folded BN: params threshold, direction (Eq. 7–8)
  Silu,
  Sigmoid,
  Hardswish,
  MaxPool2d,          // attrs kernel, stride, padding, dilation, ceil_mode
  AvgPool2d,          // attrs kernel, stride, padding, ceil_mode, count_include_pad, divisor (0 = none)
  AdaptiveAvgPool2d,  // attr output_size
  Flatten,            // attrs start, end
  Reshape,            // view/reshape; attr shape (SizeList)
  Add,                // sum of two tensors, or tensor + attr "scalar" when it has one input
  Mul,                // product of two tensors, or tensor * attr "scalar" when it has one input
  Cat,                // attr dim
  Sum,                // attrs dims (empty = all), keepdim
  Mean,               // attrs dims (empty = all), keepdim
  Unsqueeze,          // attr dim
  Expand,             // attr shape (SizeList)
  Repeat,             // attr repeats (SizeList)
  Permute,            // attr dims
  Transpose,          // attrs dim0, dim1
  Hardtanh,           // attrs min, max (ReLU6: 0, 6)
  Hardsigmoid,
  Clamp,              // attrs min, max (±inf where absent)
  Chunk,              // one item of a split into `chunks`: attrs chunks, dim, index
  Select,             // attrs dim, index (the dimension is removed)
  Slice,              // attrs dim, start, end, step
  LayerNorm,          // params weight?, bias?; attrs shape (normalized trailing sizes), eps
  Gelu,               // attr tanh (bool): the tanh approximation
  Softmax,            // attr dim
  LogSoftmax,         // attr dim
  MatMul,             // matmul / bmm of two tensors
  FromSizes,          // a tensor computed from sizes and stored data (size_program.h); attrs sizes, program; param like
  Pad,                // constant padding; attrs pads (SizeList, last dimension first, as aten::pad), value
  Roll,               // attrs shifts, dims
};

// The operator's name in `inspect`, error messages and rule maps (its table entry's name).
const char* opName(Op op);

}  // namespace lrp
