// The pieces of metric schemas (lib/options/schema.ts) that several metrics share: the data a
// metric may take (METRIC_DATA) and the option groups (preparation, model scores, seed, baseline).
import type { Model } from '../model';
import { EXPLAIN_CONFIG } from '../explain/schema';
import { anyOf, nameOf, boolean, custom, Fields, integer, listOf, number, oneOf } from '../options/schema';
import { CHANNEL_POOLINGS } from '../image/pooling';
import type { Tensor } from '../tensor';

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

/** Every piece of data a metric may take besides its options; a metric names those it needs. */
export const METRIC_DATA = {
  attributions: tensor,
  masks: tensor,
  model,
  inputs,
  targets,
  explain: EXPLAIN_CONFIG,
} as const;
export type MetricDataKey = keyof typeof METRIC_DATA;

/** Preparation of attributions (docs/metrics.md §2), taken by every metric. */
export const PREPARE = {
  pool: oneOf(...CHANNEL_POOLINGS),
  normalise: oneOf('second-moment', 'max', 'none', false),
  abs: boolean(),
} as const satisfies Fields;
// The generator takes a 32-bit seed (lib/random.ts): a larger one would wrap onto another seed.
export const METRIC_SEED = integer({ min: 0, max: 2 ** 32 - 1 });
export const BATCH_SIZE = integer({ min: 1 });
/** The options of the metrics that score perturbed inputs with the model. */
export const MODEL_SCORES: Fields = { softmax: boolean(), batchSize: BATCH_SIZE, seed: METRIC_SEED };
/** A perturbed element's value: a number, or black, white, mean or uniform (docs/metrics.md §8). */
export const BASELINE = anyOf(number(), nameOf('baseline', ['black', 'white', 'mean', 'uniform']));

/** The data of the metrics that score perturbed inputs with the model. */
export const SCORED_DATA = { model: 'required', inputs: 'required', targets: 'required', attributions: 'required' } as const;
/** The data of the metrics that explain other inputs or classes themselves (the given attributions
 * are computed with `explain` when absent). */
export const EXPLAINED_DATA = { model: 'required', explain: 'required', inputs: 'required', targets: 'required', attributions: 'optional' } as const;
/** What sparseness and complexity take: an attribution, and how to prepare it. */
export const ATTRIBUTION_ONLY = { data: { attributions: 'required' }, options: PREPARE } as const;
/** What the localisation metrics take: an attribution and masks, and how to prepare the attribution. */
export const WITH_MASKS = { data: { attributions: 'required', masks: 'required' }, options: PREPARE } as const;
