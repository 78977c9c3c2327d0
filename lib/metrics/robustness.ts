// What avg- and max-sensitivity (avg_sensitivity.ts, max_sensitivity.ts; docs/metrics.md §11, Yeh
// et al. 2019) share: their options, the noisy copies, and the ratios ‖â − â_k‖ / ‖â‖ they reduce.
import { LrpError } from '../errors';
import { Random } from '../util/random';
import { Tensor } from '../tensor';
import { definedOnly } from '../util/defined_only';
import { explainRows, Explainer } from './explained';
import { prepareAttributions, PrepareOptions } from './prepare';
import { BATCH_SIZE, METRIC_SEED, PREPARE, EXPLAINED_DATA } from './fields';
import { anyOf, Fields, integer, number, oneOf, Refine } from '../options/schema';

export interface SensitivityArgs extends Explainer, PrepareOptions {
  inputs: Tensor | Tensor[];
  targets: readonly number[];
  attributions?: Tensor;
  nrSamples?: number;
  lowerBound?: number;
  upperBound?: number | null;
  seed?: number;
}

const lowerBelowUpper: Refine = (o, at) => {
  if (typeof o.upperBound === 'number' && o.upperBound < ((o.lowerBound as number | undefined) ?? 0.2)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${at}: upperBound (${o.upperBound}) must not be below lowerBound (${o.lowerBound ?? 0.2})`);
  }
};

/** The options and data of both sensitivity metrics. */
export const SENSITIVITY = {
  direction: 'min',
  category: 'robustness',
  data: EXPLAINED_DATA,
  options: {
    ...PREPARE, batchSize: BATCH_SIZE, seed: METRIC_SEED, nrSamples: integer({ min: 1 }), lowerBound: number({ min: 0 }),
    upperBound: anyOf(number(), oneOf(null)),
  } satisfies Fields,
  refine: lowerBelowUpper,
} as const;

/** The seed a sensitivity metric draws its noise with: max-sensitivity draws apart from avg-sensitivity. */
export function sensitivitySeed(metric: 'avg-sensitivity' | 'max-sensitivity', seed = 0): number {
  return metric === 'max-sensitivity' ? seed + 1 : seed;
}

/**
 * The k noisy copies of every sample, sample by sample (rows s·k … s·k+k−1 belong to sample s):
 * x_k = x + δ_k, δ uniform on [lo, hi] per element, no clipping. Any run with the same seed, bounds
 * and samples draws the same copies (so configurations of a search share them).
 */
export function sensitivityNoise(x: Tensor, args: Pick<SensitivityArgs, 'nrSamples' | 'lowerBound' | 'upperBound' | 'seed'>): Tensor {
  const n = x.shape[0];
  const size = x.data.length / n;
  const k = args.nrSamples ?? 10;
  if (!Number.isInteger(k) || k < 1) throw new LrpError('LRP_BAD_ARGUMENT', `nrSamples must be a positive integer, got ${k}`);
  const lo = args.upperBound == null ? -(args.lowerBound ?? 0.2) : (args.lowerBound ?? 0.2);
  const hi = args.upperBound == null ? (args.lowerBound ?? 0.2) : args.upperBound;
  const random = new Random(args.seed ?? 0);
  const noisy = new Float32Array(n * k * size);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < k; j++) {
      const row = (s * k + j) * size;
      for (let i = 0; i < size; i++) noisy[row + i] = x.data[s * size + i] + lo + (hi - lo) * random.next();
    }
  }
  return new Tensor(noisy, [n * k, ...x.shape.slice(1)]);
}

/** s_k = ‖â − â_k‖ / ‖â‖ per sample and copy, from the given attributions and those of the k copies of each sample. */
export function sensitivityRatios(given: Tensor, explained: Tensor, k: number, prepare: PrepareOptions): Float64Array[] {
  const options = { pool: 'sum', normalise: 'second-moment', abs: false, ...definedOnly(prepare) } as const;
  const base = prepareAttributions(given, options);
  const perturbed = prepareAttributions(explained, options);
  return base.map(({ values }, s) => {
    let norm = 0;
    for (const v of values) norm += v * v;
    norm = Math.sqrt(norm);
    return Float64Array.from({ length: k }, (_, j) => {
      const other = perturbed[s * k + j].values;
      let d = 0;
      for (let i = 0; i < values.length; i++) d += (values[i] - other[i]) ** 2;
      return Math.sqrt(d) / norm;
    });
  });
}

/** Per sample, the ratio s_k of each of its k noisy copies. */
export async function sensitivities(args: SensitivityArgs): Promise<Float64Array[]> {
  const inputs = Array.isArray(args.inputs) ? args.inputs : [args.inputs];
  const x = inputs[0];
  const n = x.shape[0];
  if (args.targets.length !== n) throw new LrpError('LRP_BAD_ARGUMENT', `got ${args.targets.length} targets for ${n} samples`);
  const k = args.nrSamples ?? 10;
  const noisy = sensitivityNoise(x, args);
  const owners = Array.from({ length: n }, (_, i) => i);
  const given = args.attributions ?? (await explainRows(args, x, inputs.slice(1), owners, [...args.targets]));
  const rowOwners = owners.flatMap((s) => new Array<number>(k).fill(s));
  const explained = await explainRows(args, noisy, inputs.slice(1), rowOwners, rowOwners.map((s) => args.targets[s]));
  return sensitivityRatios(given, explained, k, args);
}

/** The metric's reduction over the k copies of a sample, NaN ratios left out. */
export function reduceSensitivity(values: Float64Array, how: 'mean' | 'max'): number {
  const finite = Array.from(values).filter((v) => !Number.isNaN(v));
  if (finite.length === 0) return NaN;
  return how === 'mean' ? finite.reduce((a, b) => a + b, 0) / finite.length : Math.max(...finite);
}
