// What kind of layer a graph node is, for composites (docs/explain.md, "Composites"): the category the
// native operator table gives each layer (native/core/ops/op_table.h). Composites select layers by
// these categories, as zennit's layer maps select modules by type (Convolution, Linear, Activation,
// BatchNorm, AvgPool, Sum).
import type { NativeLayer } from '../native/binding';

/** The categories a composite's layer map can name. */
export type LayerCategory =
  | 'convolution' | 'dense' | 'activation' | 'batch-norm' | 'sum' | 'average-pooling' | 'layer-norm' | 'softmax'
  | 'attention-product' | 'product' | 'elementwise' | 'thresh-relu' | 'other';

/**
 * What a layer map or a first-layer rule selects: a category, `linear` (a convolution or a dense
 * layer) or `relu` (the ReLU activations only, as zennit's DeconvNet, GuidedBackprop and BetaSmooth
 * composites select torch.nn.ReLU).
 */
export type LayerSelector = Exclude<LayerCategory, 'thresh-relu' | 'other'> | 'linear' | 'relu';

export const LAYER_SELECTORS: readonly LayerSelector[] = [
  'convolution', 'dense', 'linear', 'activation', 'relu', 'batch-norm', 'sum', 'average-pooling', 'layer-norm',
  'softmax', 'attention-product', 'product', 'elementwise',
];

export type CategorizedLayer = Pick<NativeLayer, 'op' | 'category' | 'inputs' | 'functional'>;

// The native categories a composite can tell apart; the others (reshapes, max pooling, concatenations, …)
// are 'other'. `activation` is relu, silu, sigmoid, hardswish, hardsigmoid, hardtanh (ReLU6) and clamp; `thresh-relu` is canonization's ReLU, which
// no composite places a rule on (it keeps its gradient, passing relevance where active and dropping
// it where clamped); `sum` is a sum of two tensors (a residual +) or a reduction by summation (a
// relation network's pairs); `average-pooling` includes a mean over dimensions. For attention
// models: `layer-norm`, `softmax`, `attention-product` (matmul / bmm of two computed tensors: QKᵀ,
// attention·V), `product` (an element-wise product of two computed tensors) and `elementwise` (a
// tensor plus or times a number or a stored tensor: a scaling, a position embedding, a layer scale).
const COMPOSITE_CATEGORIES: ReadonlySet<string> = new Set<LayerCategory>([
  'convolution', 'dense', 'activation', 'batch-norm', 'sum', 'average-pooling', 'layer-norm', 'softmax',
  'attention-product', 'product', 'elementwise', 'thresh-relu',
]);

export function categoryOf(layer: CategorizedLayer): LayerCategory {
  return COMPOSITE_CATEGORIES.has(layer.category) ? (layer.category as LayerCategory) : 'other';
}

/**
 * Whether a layer map entry for `selector` reaches `layer`. Activations and batch norms are reached
 * as modules only: zennit hooks modules, so an activation called in a parent's forward (`F.relu`)
 * keeps its gradient there. Convolutions, dense layers, sums and average poolings are reached
 * however they are called (structural canonization makes sums and poolings nodes of their own).
 */
export function selects(selector: LayerSelector, layer: CategorizedLayer, category = categoryOf(layer)): boolean {
  switch (selector) {
    case 'linear':
      return category === 'convolution' || category === 'dense';
    case 'relu':
      return category === 'activation' && layer.op === 'relu' && !layer.functional;
    case 'activation':
    case 'batch-norm':
      return category === selector && !layer.functional;
    default:
      return category === selector;
  }
}

/**
 * How specific a selector is: where two entries of a layer map reach the same layer, the more
 * specific one wins (`relu` over `activation`, `convolution` and `dense` over `linear`).
 */
export function specificity(selector: LayerSelector): number {
  return selector === 'linear' || selector === 'activation' ? 0 : 1;
}
