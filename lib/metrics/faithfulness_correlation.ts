// Faithfulness correlation (docs/metrics.md §10, Bhatt et al. 2020): Pearson correlation, over
// random subsets of input elements, between the attribution they hold and the drop in the target
// logit when they are set to a baseline.
import { LrpError } from '../errors';
import type { Model } from '../model';
import { Random } from '../util/random';
import { Tensor } from '../tensor';
import { definedOnly } from '../util/defined_only';
import { BatchedScores } from './model_eval';
import { baselineValue, perElement } from './perturbation';
import { prepareAttributions, PrepareOptions } from './prepare';
import { MODEL_SCORES, PREPARE, SCORED_DATA } from './fields';
import { defineMetric } from './metric';
import { anyOf, integer, nameOf, number } from '../options/schema';
import { checkTargets } from './targets';

export interface FaithfulnessCorrelationArgs extends PrepareOptions {
  model: Model;
  inputs: Tensor | Tensor[];
  targets: readonly number[];
  attributions: Tensor;
  nrRuns?: number;
  /** Elements per subset (default ⌊0.01·H·W⌋). */
  subsetSize?: number;
  perturbBaseline?: number | 'black' | 'white' | 'mean';
  softmax?: boolean;
  batchSize?: number;
  seed?: number;
}

export function pearson(s: ArrayLike<number>, d: ArrayLike<number>): number {
  const n = s.length;
  let ms = 0;
  let md = 0;
  for (let i = 0; i < n; i++) {
    ms += s[i];
    md += d[i];
  }
  ms /= n;
  md /= n;
  let num = 0;
  let vs = 0;
  let vd = 0;
  for (let i = 0; i < n; i++) {
    num += (s[i] - ms) * (d[i] - md);
    vs += (s[i] - ms) ** 2;
    vd += (d[i] - md) ** 2;
  }
  return num / Math.sqrt(vs * vd);
}

async function run(args: FaithfulnessCorrelationArgs): Promise<Float64Array> {
  const inputs = Array.isArray(args.inputs) ? args.inputs : [args.inputs];
  const x = inputs[0];
  const [n, C, H, W] = x.shape;
  const size = C * H * W;
  const runs = args.nrRuns ?? 100;
  const subset = args.subsetSize ?? Math.floor(0.01 * H * W);
  if (!Number.isInteger(subset) || subset < 1 || subset > size) {
    throw new LrpError('LRP_BAD_ARGUMENT', `subsetSize must be an integer from 1 to ${size}, got ${subset}`);
  }
  if (args.targets.length !== n) throw new LrpError('LRP_BAD_ARGUMENT', `got ${args.targets.length} targets for ${n} samples`);
  // The targets against the model's classes, on the user's batch, before any perturbation.
  await checkTargets(args.model, inputs, args.targets);
  const prepared = prepareAttributions(args.attributions, { pool: 'sum', normalise: 'second-moment', abs: false, ...definedOnly(args) });
  const random = new Random(args.seed ?? 0);
  const batch = new BatchedScores({ model: args.model, inputs, batchSize: args.batchSize, softmax: args.softmax ?? false });
  const y0 = new Float64Array(n);
  const drops = Array.from({ length: n }, () => new Float64Array(runs));
  const sums = Array.from({ length: n }, () => new Float64Array(runs));
  const pick = new Uint32Array(size);
  for (let s = 0; s < n; s++) {
    const original = x.data.subarray(s * size, (s + 1) * size);
    await batch.add(original, s, args.targets[s], (v) => (y0[s] = v));
    const a = perElement(prepared[s].values, prepared[s].channels, C);
    const baseline = args.perturbBaseline ?? 0;
    if ((baseline as string) === 'uniform') throw new LrpError('LRP_BAD_ARGUMENT', "faithfulness correlation takes a number, black, white or mean as baseline");
    // The baseline of the original sample, the same for every run.
    const value = baselineValue(baseline, original, random);
    for (let r = 0; r < runs; r++) {
      // S_r: `subset` distinct elements, uniformly without replacement (partial Fisher–Yates).
      for (let i = 0; i < size; i++) pick[i] = i;
      const perturbed = Float32Array.from(original);
      let held = 0;
      for (let i = 0; i < subset; i++) {
        const j = i + Math.floor(random.next() * (size - i));
        [pick[i], pick[j]] = [pick[j], pick[i]];
        perturbed[pick[i]] = value;
        held += a[pick[i]];
      }
      sums[s][r] = held;
      await batch.add(perturbed, s, args.targets[s], (v) => (drops[s][r] = v));
    }
  }
  await batch.flush();
  // Δ_r = y0 − f(x'_r)_y; score = pearson(s, Δ)
  return Float64Array.from(drops, (d, s) => pearson(sums[s], Float64Array.from(d, (v) => y0[s] - v)));
}

export const FAITHFULNESS_CORRELATION = defineMetric({
  name: 'faithfulness-correlation',
  direction: 'max',
  category: 'faithfulness',
  data: SCORED_DATA,
  options: {
    ...PREPARE, ...MODEL_SCORES, nrRuns: integer({ min: 1 }), subsetSize: integer({ min: 1 }),
    perturbBaseline: anyOf(number(), nameOf('baseline', ['black', 'white', 'mean'])),
  },
  run,
});

export const faithfulnessCorrelation = FAITHFULNESS_CORRELATION.compute;
