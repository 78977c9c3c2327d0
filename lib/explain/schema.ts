// The explain config (docs/cli.md "Explain config") as a schema: every key of the config, of each
// rule entry and user composite (lib/explain/rule_schema.ts), of `canonize`, and of each method.
import { CANONIZE } from './canonize';
import { COMPOSITE_NAMES } from './composites';
import { LrpError } from '../errors';
import { COMPOSITE_PARAMS, lowBelowHigh, RULE_ENTRY, USER_COMPOSITE } from './rule_schema';
import { anyOf, custom, Fields, nameOf, integer, listOf, number, object, oneOf, Refine, required, Spec } from '../options/schema';

export { RULE_ENTRY, RULE_PARAMS } from './rule_schema';

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
  composite: anyOf(nameOf('composite', COMPOSITE_NAMES), USER_COMPOSITE),
  ...COMPOSITE_PARAMS,
  canonize: CANONIZE,
  rules: listOf(RULE_ENTRY),
  init: oneOf('onehot', 'logit'),
};

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
export const EXPLAIN_CONFIG: Spec = object(EXPLAIN_CONFIG_FIELDS, {
  tag: { key: 'method', fallback: 'lrp', cases: METHOD_PARAMS },
  refine: explainRefine,
});

/** One class for the batch, one per sample, or argmax. */
export const TARGET = anyOf(oneOf('argmax'), integer({ min: 0 }), listOf(integer({ min: 0 }), 1));
const WARNING_SINK = custom('a function', (v) => typeof v === 'function');

/** model.explain's options: a config plus the target and a warning callback. */
export const EXPLAIN_OPTIONS: Spec = object(
  {
    ...EXPLAIN_CONFIG_FIELDS,
    target: required(TARGET),
    onWarning: WARNING_SINK,
  },
  { tag: { key: 'method', fallback: 'lrp', cases: METHOD_PARAMS }, refine: explainRefine },
);

/** model.explainMany's options: explain's, with a list of configs (each checked as EXPLAIN_CONFIG). */
export const EXPLAIN_MANY_OPTIONS: Spec = object({
  target: required(TARGET),
  configs: required(custom('a list of explain configs', Array.isArray)),
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
export const PREPROCESSING: Spec = object(
  { size: required(anyOf(side, sides)), resize: anyOf(side, sides, oneOf(false)), mean: required(listOf(number(), 3)), std: required(listOf(number({ above: 0 }), 3)) },
  { refine: (o, at) => { exactly('size', 2)(o, at); exactly('resize', 2)(o, at); exactly('mean', 3)(o, at); exactly('std', 3)(o, at); } },
);

/** An explain config file: a config plus, for image folders, its preprocessing. */
export const EXPLAIN_CONFIG_FILE: Spec = object({ ...EXPLAIN_CONFIG_FIELDS, preprocessing: PREPROCESSING }, {
  tag: { key: 'method', fallback: 'lrp', cases: METHOD_PARAMS },
  refine: explainRefine,
});
