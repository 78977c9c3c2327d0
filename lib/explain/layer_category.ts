// What kind of layer a graph node is, for composites (docs/explain.md, "Composites"): the category the
// native operator table gives each layer (docs/operators.md lists every category with its operators
// and rules, generated from the addon). Composites select layers by these categories, as zennit's
// layer maps select modules by type (Convolution, Linear, Activation, BatchNorm, AvgPool, Sum).
import type { NativeLayer } from '../native/binding';

/**
 * What a layer map or a first-layer rule selects: a category, `linear` (a convolution or a dense
 * layer) or `relu` (the ReLU activations only, as zennit's DeconvNet, GuidedBackprop and BetaSmooth
 * composites select torch.nn.ReLU). test/rule_registry.test.ts checks each category is the addon's.
 */
const SELECTORS = [
  'convolution', 'dense', 'linear', 'activation', 'relu', 'batch-norm', 'sum', 'average-pooling', 'layer-norm',
  'softmax', 'attention-product', 'product', 'elementwise',
] as const;
export type LayerSelector = (typeof SELECTORS)[number];
export const LAYER_SELECTORS: readonly LayerSelector[] = SELECTORS;

/** The selectors that are not categories of their own. */
const GROUPS: ReadonlySet<string> = new Set<LayerSelector>(['linear', 'relu']);

/**
 * The categories a composite tells apart: the selectable ones and `thresh-relu` (canonization's
 * ReLU, which no composite places a rule on: it keeps its gradient, passing relevance where active
 * and dropping it where clamped); every other native category is `other`.
 */
export type LayerCategory = Exclude<LayerSelector, 'linear' | 'relu'> | 'thresh-relu' | 'other';

export const COMPOSITE_CATEGORIES: ReadonlySet<string> = new Set<string>([
  ...SELECTORS.filter((s) => !GROUPS.has(s)), 'thresh-relu',
]);

export type CategorizedLayer = Pick<NativeLayer, 'op' | 'category' | 'inputs' | 'functional'>;

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
