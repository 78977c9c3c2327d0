// Random logit (docs/metrics.md §12, Sixt et al. 2020): SSIM between the explanation of the
// target and of a uniformly drawn other class.
import { LrpError } from '../errors';
import { Random } from '../util/random';
import { Tensor } from '../tensor';
import { definedOnly } from '../util/defined_only';
import { explainRows, Explainer } from './explained';
import { prepareAttributions, PrepareOptions } from './prepare';
import { ssim1 } from './ssim';
import { BATCH_SIZE, METRIC_SEED, PREPARE, EXPLAINED_DATA } from './fields';
import { defineMetric } from './metric';
import { integer } from '../options/schema';

export interface RandomLogitArgs extends Explainer, PrepareOptions {
  inputs: Tensor | Tensor[];
  targets: readonly number[];
  /** The given attributions for the targets; computed with `explain` when absent. */
  attributions?: Tensor;
  numClasses?: number;
  seed?: number;
}

/** The other class of each sample: uniform over {0…K−1} without y, drawn in sample order with `seed`. */
export function randomLogitClasses(targets: readonly number[], classes: number, seed = 0): number[] {
  if (classes < 2) throw new LrpError('LRP_BAD_ARGUMENT', 'random logit needs at least two classes');
  const random = new Random(seed);
  return targets.map((y) => {
    const c = Math.floor(random.next() * (classes - 1));
    return c >= y ? c + 1 : c;
  });
}

/** SSIM₁ between the prepared attributions of the targets and of the other classes, per sample. */
export function randomLogitScores(given: Tensor, other: Tensor, prepare: PrepareOptions): Float64Array {
  const options = { pool: 'sum', normalise: 'second-moment', abs: false, ...definedOnly(prepare) } as const;
  const a = prepareAttributions(given, options);
  const b = prepareAttributions(other, options);
  return Float64Array.from(a, (sample, i) => ssim1(sample.values, b[i].values));
}

async function run(args: RandomLogitArgs): Promise<Float64Array> {
  const inputs = Array.isArray(args.inputs) ? args.inputs : [args.inputs];
  const n = inputs[0].shape[0];
  if (args.targets.length !== n) throw new LrpError('LRP_BAD_ARGUMENT', `got ${args.targets.length} targets for ${n} samples`);
  const classes = args.numClasses ?? (await args.model.forward(inputs.map((t) => new Tensor(t.data.slice(0, t.data.length / t.shape[0]), [1, ...t.shape.slice(1)])))).shape[1];
  const others = randomLogitClasses(args.targets, classes, args.seed);
  const owners = Array.from({ length: n }, (_, i) => i);
  const given = args.attributions ?? (await explainRows(args, inputs[0], inputs.slice(1), owners, [...args.targets]));
  const other = await explainRows(args, inputs[0], inputs.slice(1), owners, others);
  return randomLogitScores(given, other, args);
}

export const RANDOM_LOGIT = defineMetric({
  name: 'random-logit',
  direction: 'min',
  category: 'randomisation',
  data: EXPLAINED_DATA,
  options: { ...PREPARE, batchSize: BATCH_SIZE, seed: METRIC_SEED, numClasses: integer({ min: 2 }) },
  run,
});

export const randomLogit = RANDOM_LOGIT.compute;
