// The explain config (docs/cli.md "Explain config") as a schema: every key of the config, of each
// rule entry and user composite (lib/explain/rule_schema.ts), of `canonize`, and of each method.
// Each method's parameters are typed from here (lib/explain/options.ts).
import { CANONIZE } from './canonize';
import { COMPOSITE_NAMES } from './composites';
import { LrpError } from '../errors';
import { COMPOSITE_PARAMS, lowBelowHigh, RULE_ENTRY, USER_COMPOSITE } from './rule_schema';
import { anyOf, custom, Fields, nameOf, integer, listOf, number, object, oneOf, Refine, required, Spec } from '../options/schema';
import type { Preprocessing } from '../image/preprocessing';

export { RULE_ENTRY, RULE_PARAMS } from './rule_schema';

const manyInputs = {
  /** Most samples per forward when a method evaluates many inputs (default 64). */
  maxBatch: integer({ min: 1 }),
};
const windowSpec = anyOf(integer({ min: 1 }), listOf(integer({ min: 1 }), 1));

/** Method parameters apply to their method only. */
export const METHOD_PARAMS = {
  lrp: {},
  gradient: {},
  smoothgrad: {
    /** Evaluations, the last without noise (default 20). */
    samples: integer({ min: 1 }),
    /** σ of the noise as a fraction of each sample's value range (default 0.1). */
    noiseLevel: number({ min: 0 }),
    /** The noise seed (default 0): the same seed gives the same attribution. */
    seed: integer({ min: 0 }),
    ...manyInputs,
  },
  'integrated-gradients': {
    /** Steps of the path integral (default 20). */
    samples: integer({ min: 1 }),
    ...manyInputs,
  },
  occlusion: {
    /** One size for every dimension after the batch, or sizes of the last dimensions (default 8). */
    window: windowSpec,
    stride: windowSpec,
    ...manyInputs,
  },
} satisfies Readonly<Record<string, Fields>>;

export const EXPLAIN_CONFIG_FIELDS = {
  composite: anyOf(nameOf('composite', COMPOSITE_NAMES), USER_COMPOSITE),
  ...COMPOSITE_PARAMS,
  canonize: CANONIZE,
  rules: listOf(RULE_ENTRY),
  init: oneOf('onehot', 'logit'),
} satisfies Fields;

/**
 * Composite-wide parameters reach the rules of a built-in composite; a user composite carries its
 * parameters in its own rules, so one given beside it would silently do nothing.
 */
const paramsFitComposite: Refine = (o, at) => {
  if (typeof o.composite !== 'object' || o.composite === null) return;
  const given = Object.keys(COMPOSITE_PARAMS).filter((key) => o[key] !== undefined);
  if (given.length > 0) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${at}: ${given.map((k) => `'${k}'`).join(', ')} ${given.length > 1 ? 'apply' : 'applies'} to ` +
      'the built-in composites only; a user composite sets its parameters in its rules (layerMap, first)');
  }
};

const explainRefine: Refine = (o, at) => {
  lowBelowHigh(o, at);
  paramsFitComposite(o, at);
};

/** An explain config: a file's object, or one configuration of explainMany. */
export const EXPLAIN_CONFIG = object(EXPLAIN_CONFIG_FIELDS, {
  tag: { key: 'method', fallback: 'lrp', cases: METHOD_PARAMS },
  refine: explainRefine,
});

/** One class for the batch, one per sample, or argmax. */
export const TARGET = anyOf(oneOf('argmax'), integer({ min: 0 }), listOf(integer({ min: 0 }), 1));
const WARNING_SINK = custom('a function', (v): v is (message: string) => void => typeof v === 'function');

/** model.explain's options: a config plus the target and a warning callback. */
export const EXPLAIN_OPTIONS = object(
  {
    ...EXPLAIN_CONFIG_FIELDS,
    target: required(TARGET),
    onWarning: WARNING_SINK,
  },
  { tag: { key: 'method', fallback: 'lrp', cases: METHOD_PARAMS }, refine: explainRefine },
);

/** model.explainMany's options: explain's, with a list of configs (each checked as EXPLAIN_CONFIG). */
export const EXPLAIN_MANY_OPTIONS = object({
  target: required(TARGET),
  configs: required(custom('a list of explain configs', (v): v is unknown[] => Array.isArray(v))),
  onWarning: WARNING_SINK,
});

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
export const PREPROCESSING: Spec<Preprocessing> = object(
  { size: required(anyOf(side, sides)), resize: anyOf(side, sides, oneOf(false)), mean: required(listOf(number(), 3)), std: required(listOf(number({ above: 0 }), 3)) },
  { refine: (o, at) => { exactly('size', 2)(o, at); exactly('resize', 2)(o, at); exactly('mean', 3)(o, at); exactly('std', 3)(o, at); } },
) as Spec<Preprocessing>; // the refine fixes size and resize at two entries: tuples

/** An explain config file: a config plus, for image folders, its preprocessing. */
export const EXPLAIN_CONFIG_FILE = object({ ...EXPLAIN_CONFIG_FIELDS, preprocessing: PREPROCESSING }, {
  tag: { key: 'method', fallback: 'lrp', cases: METHOD_PARAMS },
  refine: explainRefine,
});
