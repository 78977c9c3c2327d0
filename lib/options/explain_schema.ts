// The explain config (docs/cli.md "Explain config") as a schema: every key of the config, of each
// rule entry (whose parameters depend on the rule, with zennit's names) and of `canonize`.
import { CANONIZE } from '../canonize';
import { COMPOSITE_NAMES } from '../composites';
import { LrpError } from '../errors';
import { anyOf, custom, Fields, nameOf, integer, listOf, number, object, oneOf, Refine, required, Spec, string } from './schema';

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
};

function values(v: unknown): number[] {
  return Array.isArray(v) ? (v as number[]) : [v as number];
}

/** zbox bounds: low ≤ high, element by element (a scalar pairs with every channel). */
const lowBelowHigh: Refine = (o, at) => {
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

export const RULE_ENTRY: Spec = object(
  { layers: required(listOf(string(), 1)) },
  { tag: { key: 'rule', cases: RULE_PARAMS }, refine: (o, at) => { lowBelowHigh(o, at); alphaBeta(o, at); } },
);

/** Composite-wide parameters: each reaches the rules of the composite that take it. */
const COMPOSITE_PARAMS: Fields = {
  epsilon: stabilizer,
  gamma: number({ min: 0 }),
  stabilizer,
  low: bound,
  high: bound,
  betaSmooth: number({ above: 0 }),
  zeroParams,
};

const manyInputs = { maxBatch: integer({ min: 1 }) };
const windowSpec = anyOf(integer({ min: 1 }), listOf(integer({ min: 1 }), 1));

/** Method parameters apply to their method only. */
export const METHOD_PARAMS: Readonly<Record<string, Fields>> = {
  lrp: {},
  gradient: {},
  smoothgrad: { samples: integer({ min: 1 }), noiseLevel: number({ min: 0 }), seed: integer({ min: 0 }), ...manyInputs },
  'integrated-gradients': { samples: integer({ min: 1 }), ...manyInputs },
  occlusion: { window: windowSpec, stride: windowSpec, ...manyInputs },
};

export const EXPLAIN_CONFIG_FIELDS: Fields = {
  composite: nameOf('composite', COMPOSITE_NAMES),
  ...COMPOSITE_PARAMS,
  canonize: CANONIZE,
  rules: listOf(RULE_ENTRY),
  init: oneOf('onehot', 'logit'),
};

/** An explain config: a file's object, or one configuration of explainMany. */
export const EXPLAIN_CONFIG: Spec = object(EXPLAIN_CONFIG_FIELDS, {
  tag: { key: 'method', fallback: 'lrp', cases: METHOD_PARAMS },
  refine: lowBelowHigh,
});

/** model.explain's options: a config plus the target and a warning callback. */
export const EXPLAIN_OPTIONS: Spec = object(
  {
    ...EXPLAIN_CONFIG_FIELDS,
    target: required(anyOf(oneOf('argmax'), integer({ min: 0 }), listOf(integer({ min: 0 }), 1))),
    onWarning: custom('a function', (v) => typeof v === 'function'),
  },
  { tag: { key: 'method', fallback: 'lrp', cases: METHOD_PARAMS }, refine: lowBelowHigh },
);


const side = integer({ min: 1 });
const sides = listOf(side, 2);
const exactly = (key: string, length: number): Refine => (o, at) => {
  const list = o[key];
  if (Array.isArray(list) && list.length !== length) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${at}.${key} must have ${length} entries, got ${list.length}`);
  }
};

/**
 * Image preprocessing of `explain --data` (docs/folder_explain.md), as torchvision's Resize, then
 * CenterCrop(size), ToTensor and Normalize(mean, std): `size` is the model's input (H, W);
 * `resize` an int (shorter side) or [H, W]; absent: resize to `size`; false: no resizing.
 */
export const PREPROCESSING: Spec = object(
  { size: required(anyOf(side, sides)), resize: anyOf(side, sides, oneOf(false)), mean: required(listOf(number(), 3)), std: required(listOf(number({ above: 0 }), 3)) },
  { refine: (o, at) => { exactly('size', 2)(o, at); exactly('resize', 2)(o, at); exactly('mean', 3)(o, at); exactly('std', 3)(o, at); } },
);

/** An explain config file: a config plus, for image folders, its preprocessing. */
export const EXPLAIN_CONFIG_FILE: Spec = object({ ...EXPLAIN_CONFIG_FIELDS, preprocessing: PREPROCESSING }, {
  tag: { key: 'method', fallback: 'lrp', cases: METHOD_PARAMS },
  refine: lowBelowHigh,
});
