// Every metric's options (docs/metrics.md names) and the data it takes, as schemas (lib/options/schema.ts):
// checked when a metric is called from the API, by evaluate(), and in a metrics config.
import type { Model } from '../model';
import { EXPLAIN_CONFIG } from '../explain/schema';
import { anyOf, nameOf, boolean, custom, Fields, integer, listOf, number, object, oneOf, Refine, required, Spec, validate } from '../options/schema';
import { CHANNEL_POOLINGS } from '../image/pooling';
import { LrpError } from '../errors';
import type { Tensor } from '../tensor';
import { METRIC_NAMES, MetricName } from './metric_names';

const model = custom('a Model (from loadModel)', (v) =>
  typeof v === 'object' && v !== null && typeof (v as Model).forward === 'function' && typeof (v as Model).explain === 'function');
// Shapes, not classes: a Tensor-like object and a Model from another copy of the package pass.
const isTensor = (v: unknown) => typeof v === 'object' && v !== null && (v as Tensor).data instanceof Float32Array && Array.isArray((v as Tensor).shape);
const tensor = custom('a Tensor ({data: Float32Array, shape})', isTensor);
// One spec, not anyOf(tensor, listOf(tensor)): an alternative that fails builds its error message,
// which prints the value, and printing a list of tensors on every metric call costs more than the metric.
const inputs = custom('a Tensor ({data: Float32Array, shape}) or a non-empty list of Tensors',
  (v) => isTensor(v) || (Array.isArray(v) && v.length > 0 && v.every(isTensor)));
const targets = listOf(integer({ min: 0 }));

/** Preparation of attributions (docs/metrics.md §2), taken by every metric. */
const PREPARE: Fields = {
  pool: oneOf(...CHANNEL_POOLINGS),
  normalise: oneOf('second-moment', 'max', 'none', false),
  abs: boolean(),
};
// The generator takes a 32-bit seed (lib/util/random.ts): a larger one would wrap onto another seed.
export const METRIC_SEED = integer({ min: 0, max: 2 ** 32 - 1 });
const seed = METRIC_SEED;
const batchSize = integer({ min: 1 });
const MODEL_SCORES: Fields = { softmax: boolean(), batchSize, seed };
const baseline = anyOf(number(), nameOf('baseline', ['black', 'white', 'mean', 'uniform']));

const lowerBelowUpper: Refine = (o, at) => {
  if (typeof o.upperBound === 'number' && o.upperBound < ((o.lowerBound as number | undefined) ?? 0.2)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${at}: upperBound (${o.upperBound}) must not be below lowerBound (${o.lowerBound ?? 0.2})`);
  }
};

const SENSITIVITY: Fields = {
  ...PREPARE, batchSize, seed, nrSamples: integer({ min: 1 }), lowerBound: number({ min: 0 }), upperBound: anyOf(number(), oneOf(null)),
};

/** The options of each metric, over its defaults (docs/metrics.md §15). */
export const METRIC_OPTIONS: Readonly<Record<MetricName, Fields>> = {
  sparseness: PREPARE,
  complexity: PREPARE,
  rra: PREPARE,
  rma: PREPARE,
  'region-perturbation': {
    ...PREPARE, ...MODEL_SCORES, patchSize: integer({ min: 1 }), regions: integer({ min: 1 }), order: oneOf('morf', 'lerf', 'random'),
    perturb: oneOf('blur', 'baseline'), blurKernelSize: integer({ min: 1 }), perturbBaseline: baseline,
  },
  'pixel-flipping': { ...PREPARE, ...MODEL_SCORES, featuresInStep: integer({ min: 1 }), perturbBaseline: baseline },
  'faithfulness-correlation': {
    ...PREPARE, ...MODEL_SCORES, nrRuns: integer({ min: 1 }), subsetSize: integer({ min: 1 }),
    perturbBaseline: anyOf(number(), nameOf('baseline', ['black', 'white', 'mean'])),
  },
  'avg-sensitivity': SENSITIVITY,
  'max-sensitivity': SENSITIVITY,
  'random-logit': { ...PREPARE, batchSize, seed, numClasses: integer({ min: 2 }) },
};

const REFINE: Partial<Record<MetricName, Refine>> = { 'avg-sensitivity': lowerBelowUpper, 'max-sensitivity': lowerBelowUpper };

/** One metric's `options` object (of evaluate() or a metrics config). */
export function metricOptionsSpec(name: MetricName): Spec {
  return object(METRIC_OPTIONS[name], { refine: REFINE[name] });
}

/** The data each metric function takes besides its options. */
const DATA: Readonly<Record<MetricName, Fields>> = (() => {
  const attributions = required(tensor);
  const scored: Fields = { model: required(model), inputs: required(inputs), targets: required(targets), attributions };
  const explained: Fields = {
    model: required(model), explain: required(EXPLAIN_CONFIG), inputs: required(inputs), targets: required(targets), attributions: tensor,
  };
  return {
    sparseness: { attributions },
    complexity: { attributions },
    rra: { attributions, masks: required(tensor) },
    rma: { attributions, masks: required(tensor) },
    'region-perturbation': scored,
    'pixel-flipping': scored,
    'faithfulness-correlation': scored,
    'avg-sensitivity': explained,
    'max-sensitivity': explained,
    'random-logit': explained,
  };
})();

/** The data keys a metric takes (evaluate() passes only these). */
export function metricDataKeys(name: MetricName): string[] {
  return Object.keys(DATA[name]);
}

/** Any metric's data, so one data object can be passed to several metrics (unused keys are ignored). */
const ANY_DATA: Fields = Object.fromEntries(Object.values(DATA).flatMap((fields) =>
  Object.entries(fields).map(([key, f]) => [key, 'spec' in f ? f.spec : f])));

/** Checks the argument object of a metric function: its data (required), the suite's other data
 * keys, and its own options; any other key is an error. */
export function checkMetricArgs<T>(name: MetricName, args: T): T {
  return validate<T>(object({ ...ANY_DATA, ...DATA[name], ...METRIC_OPTIONS[name] }, { refine: REFINE[name] }), args, `${name} options`);
}

/** evaluate()'s argument object (lib/metrics/evaluate.ts). */
export const EVALUATE_ARGS: Spec = object({
  metrics: required(listOf(nameOf('metric', METRIC_NAMES), 1)),
  attributions: tensor,
  masks: tensor,
  model,
  inputs,
  targets,
  explain: EXPLAIN_CONFIG,
  pool: PREPARE.pool as Spec,
  seed,
  options: object(Object.fromEntries(METRIC_NAMES.map((name) => [name, metricOptionsSpec(name)]))),
  onProgress: custom('a function', (v) => typeof v === 'function'),
});

/** Whether a metric takes an option (the shared `pool` and `seed` reach only those that do). */
export function takesOption(name: MetricName, option: string): boolean {
  return option in METRIC_OPTIONS[name];
}
