// What kind of layer a graph node is, for composites (docs/explain.md, "Composites"): the one place
// in TypeScript that looks at a node's operator. Composites select layers by these categories, as
// zennit's layer maps select modules by type (Convolution, Linear, Activation, BatchNorm, AvgPool, Sum).
import type { NativeLayer } from './native';

/** The categories a composite's layer map can name. */
export type LayerCategory =
  | 'convolution' | 'dense' | 'activation' | 'batch-norm' | 'sum' | 'average-pooling' | 'thresh-relu' | 'other';

/**
 * What a layer map or a first-layer rule selects: a category, `linear` (a convolution or a dense
 * layer) or `relu` (the ReLU activations only, as zennit's DeconvNet, GuidedBackprop and BetaSmooth
 * composites select torch.nn.ReLU).
 */
export type LayerSelector = Exclude<LayerCategory, 'thresh-relu' | 'other'> | 'linear' | 'relu';

export const LAYER_SELECTORS: readonly LayerSelector[] = [
  'convolution', 'dense', 'linear', 'activation', 'relu', 'batch-norm', 'sum', 'average-pooling',
];

export type CategorizedLayer = Pick<NativeLayer, 'op' | 'inputs' | 'functional'>;

const ACTIVATIONS: readonly string[] = ['relu', 'silu', 'sigmoid'];
const AVERAGE_POOLINGS: readonly string[] = ['avg_pool2d', 'adaptive_avg_pool2d', 'mean'];

export function categoryOf(layer: CategorizedLayer): LayerCategory {
  const { op } = layer;
  if (op === 'conv2d') return 'convolution';
  if (op === 'linear') return 'dense';
  if (ACTIVATIONS.includes(op)) return 'activation';
  // A ThreshReLU (made by canonization) is not an activation: no composite places a rule on it, so
  // it keeps its gradient, passing relevance where active and dropping it where clamped.
  if (op === 'thresh_relu') return 'thresh-relu';
  if (op === 'batch_norm') return 'batch-norm';
  // A sum of two tensors (a residual +) or a reduction by summation (a relation network's pairs).
  if ((op === 'add' && layer.inputs.length === 2) || op === 'sum') return 'sum';
  if (AVERAGE_POOLINGS.includes(op)) return 'average-pooling';
  return 'other';
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
