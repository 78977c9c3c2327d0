// Rules and composites as a schema (docs/explain.md, "Rules" and "Composites"): each rule's
// parameters (zennit 0.5.1's names, depending on `rule`), a rule entry of `rules`, the composite-wide
// parameters, and a user composite (a layer map by category, a first-layer rule, structural rules).
// The types of rules (RuleName, RuleSpec, RuleOverride, CompositeParams) are inferred from these.
import { LrpError } from '../errors';
import { LAYER_SELECTORS } from './layer_category';
import { anyOf, boolean, eachOf, Fields, InferFields, listOf, nameOf, number, object, oneOf, Refine, required, string } from '../options/schema';

// A stabilizer is added to a denominator with its sign (z + sign(z)·ε): 0 divides by zero where
// z = 0, so it must be positive. The epsilon rule's epsilon is its stabilizer.
const stabilizer = number({ above: 0 });
const bound = anyOf(number(), listOf(number(), 1));
// Typed string[] (as published before): which names are parameters is checked at run time.
const zeroParams = listOf(oneOf<readonly string[]>('weight', 'bias'));

/** The parameters of each rule (zennit 0.5.1's constructors). */
export const RULE_PARAMS = {
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
} satisfies Readonly<Record<string, Fields>>;

/** The rules, by the names configs use. */
export type RuleName = keyof typeof RULE_PARAMS;
export const RULE_NAMES = Object.keys(RULE_PARAMS) as readonly RuleName[];

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
function ruleWith<F extends Fields>(extra: F) {
  return object(extra, { tag: { key: 'rule', cases: RULE_PARAMS }, refine: (o, at) => { lowBelowHigh(o, at); alphaBeta(o, at); } });
}

type AllOf<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/**
 * A rule with its parameters (zennit's names; unset ones take zennit's defaults): any rule's
 * parameters, typed as the schema types them; which apply to which rule is checked at run time.
 */
export type RuleSpec = { rule: RuleName } & Partial<AllOf<{ [R in RuleName]: InferFields<(typeof RULE_PARAMS)[R]> }[RuleName]>>;

/** A rule and its parameters: `{"rule": "gamma", "gamma": 0.1}`. */
export const RULE_SPEC = ruleWith({});

const ENTRY = { layers: required(listOf(string(), 1)) };
/** An entry of `rules`: a rule for the named layers. */
export const RULE_ENTRY = ruleWith(ENTRY);
/** A rule for the named layers, overriding the composite there. */
export type RuleOverride = RuleSpec & InferFields<typeof ENTRY>;

const selector = nameOf('layer category', LAYER_SELECTORS);
const FIRST = { category: required(selector) };
/** zennit's SpecialFirstLayerMapComposite: a rule for the first layer, in execution order, of a category. */
export type FirstLayerRule = RuleSpec & InferFields<typeof FIRST>;

/**
 * A user composite: `layerMap` (a rule per layer category), `first` (a rule for the first layer of
 * a category, in execution order) and `structural` (norm on sums and average poolings; default true).
 */
export const USER_COMPOSITE = object({
  layerMap: required(object(eachOf(LAYER_SELECTORS, RULE_SPEC))),
  first: ruleWith(FIRST),
  structural: boolean(),
});

/** Composite-wide parameters of the built-in composites: each reaches the rules that take it. */
export const COMPOSITE_PARAMS = {
  epsilon: stabilizer,
  gamma: number({ min: 0 }),
  stabilizer,
  low: bound,
  high: bound,
  betaSmooth: number({ above: 0 }),
  zeroParams,
} satisfies Fields;
/** Composite-wide parameters, as zennit's composite constructors take them. */
export type CompositeParams = InferFields<typeof COMPOSITE_PARAMS>;
