// Rules and composites as a schema (docs/explain.md, "Rules" and "Composites"): each rule's
// parameters (zennit 0.5.1's names, depending on `rule`), a rule entry of `rules`, the composite-wide
// parameters, and a user composite (a layer map by category, a first-layer rule, structural rules).
import { LrpError } from '../errors';
import { LAYER_SELECTORS } from './layer_category';
import { anyOf, boolean, Fields, listOf, nameOf, number, object, oneOf, Refine, required, Spec, string } from '../options/schema';

// A stabilizer is added to a denominator with its sign (z + sign(z)·ε): 0 divides by zero where
// z = 0, so it must be positive. The epsilon rule's epsilon is its stabilizer.
const stabilizer = number({ above: 0 });
const bound = anyOf(number(), listOf(number(), 1));
const zeroParams = listOf(oneOf('weight', 'bias'));

/** The parameters of each rule (zennit 0.5.1's constructors). */
export const RULE_PARAMS: Readonly<Record<string, Fields>> = {
  epsilon: { epsilon: stabilizer, zeroParams },
  gamma: { gamma: number({ min: 0 }), stabilizer, zeroParams },
  zplus: { stabilizer, zeroParams },
  'alpha-beta': { alpha: number({ min: 0 }), beta: number({ min: 0 }), stabilizer, zeroParams },
  zbox: { low: required(bound), high: required(bound), stabilizer, zeroParams },
  flat: { stabilizer, zeroParams },
  wsquare: { stabilizer, zeroParams },
  pass: {},
  norm: { stabilizer },
  gradient: {},
  'relu-deconvnet': {},
  'relu-guided-backprop': {},
  'relu-beta-smooth': { betaSmooth: number({ above: 0 }) },
  'constant-std': { epsilon: stabilizer },
  'softmax-taylor': {},
  uniform: { epsilon: stabilizer },
  'constant-attention': { epsilon: stabilizer },
};

function values(v: unknown): number[] {
  return Array.isArray(v) ? (v as number[]) : [v as number];
}

/** zbox bounds: low ≤ high, element by element (a scalar pairs with every channel). */
export const lowBelowHigh: Refine = (o, at) => {
  if (o.low === undefined || o.high === undefined) return;
  const low = values(o.low);
  const high = values(o.high);
  if (low.length > 1 && high.length > 1 && low.length !== high.length) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${at}: low has ${low.length} channels but high has ${high.length}`);
  }
  for (let c = 0; c < Math.max(low.length, high.length); c++) {
    const l = low[low.length === 1 ? 0 : c];
    const h = high[high.length === 1 ? 0 : c];
    if (l > h) {
      throw new LrpError('LRP_BAD_ARGUMENT', `${at}: low must not exceed high${low.length > 1 || high.length > 1 ? ` (channel ${c})` : ''}, got low ${l} > high ${h}`);
    }
  }
};

/** alpha − beta = 1 (zennit's AlphaBeta), so relevance is conserved. */
const alphaBeta: Refine = (o, at) => {
  if (o.rule !== 'alpha-beta') return;
  const alpha = (o.alpha as number | undefined) ?? 2;
  const beta = (o.beta as number | undefined) ?? 1;
  if (Math.abs(alpha - beta - 1) > 1e-12) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${at}: alpha - beta = 1 is required (zennit's AlphaBeta), got alpha ${alpha}, beta ${beta}`);
  }
};

/** A rule with its parameters plus `extra` fields (the layers it names, the category it selects). */
function ruleWith(extra: Fields): Spec {
  return object(extra, { tag: { key: 'rule', cases: RULE_PARAMS }, refine: (o, at) => { lowBelowHigh(o, at); alphaBeta(o, at); } });
}

/** A rule and its parameters: `{"rule": "gamma", "gamma": 0.1}`. */
export const RULE_SPEC: Spec = ruleWith({});

/** An entry of `rules`: a rule for the named layers. */
export const RULE_ENTRY: Spec = ruleWith({ layers: required(listOf(string(), 1)) });

const selector = nameOf('layer category', LAYER_SELECTORS);

/**
 * A user composite: `layerMap` (a rule per layer category), `first` (a rule for the first layer of
 * a category, in execution order) and `structural` (norm on sums and average poolings; default true).
 */
export const USER_COMPOSITE: Spec = object({
  layerMap: required(object(Object.fromEntries(LAYER_SELECTORS.map((s) => [s, RULE_SPEC])))),
  first: ruleWith({ category: required(selector) }),
  structural: boolean(),
});

/** Composite-wide parameters of the built-in composites: each reaches the rules that take it. */
export const COMPOSITE_PARAMS: Fields = {
  epsilon: stabilizer,
  gamma: number({ min: 0 }),
  stabilizer,
  low: bound,
  high: bound,
  betaSmooth: number({ above: 0 }),
  zeroParams,
};
