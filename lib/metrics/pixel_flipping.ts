// Pixel flipping (docs/metrics.md §8, Bach et al. 2015): input elements set to a baseline in
// order of decreasing attribution, k per step; the curve is the target probability after each step.
import { LrpError } from '../errors';
import type { Model } from '../model';
import { Random } from '../util/random';
import { Tensor } from '../tensor';
import { definedOnly } from '../util/defined_only';
import { BatchedScores } from './model_eval';
import { Baseline, baselineValue, CurveScores, perElement } from './perturbation';
import { prepareAttributions, PrepareOptions, sortedIndices } from './prepare';
import { BASELINE, MODEL_SCORES, PREPARE, SCORED_DATA } from './fields';
import { defineMetric } from './metric';
import { integer } from '../options/schema';
import { checkTargets } from './targets';

export interface PixelFlippingArgs extends PrepareOptions {
  model: Model;
  /** (N, C, H, W), or the model's inputs with the perturbed one first. */
  inputs: Tensor | Tensor[];
  targets: readonly number[];
  attributions: Tensor;
  featuresInStep?: number;
  perturbBaseline?: Baseline;
  softmax?: boolean;
  /** Perturbed inputs per forward (default: about 2²⁰ input values, at most 64). */
  batchSize?: number;
  seed?: number;
}

async function run(args: PixelFlippingArgs): Promise<CurveScores> {
  const inputs = Array.isArray(args.inputs) ? args.inputs : [args.inputs];
  const x = inputs[0];
  if (x.shape.length !== 4) throw new LrpError('LRP_BAD_SHAPE', `pixel flipping needs (N, C, H, W) inputs, got [${x.shape.join(',')}]`);
  const [n, channels] = x.shape;
  const size = x.data.length / n;
  const k = args.featuresInStep ?? 448;
  if (!Number.isInteger(k) || k < 1) throw new LrpError('LRP_BAD_ARGUMENT', `featuresInStep must be a positive integer, got ${k}`);
  if (args.targets.length !== n) throw new LrpError('LRP_BAD_ARGUMENT', `got ${args.targets.length} targets for ${n} samples`);
  // The targets against the model's classes, on the user's batch, before any perturbation.
  await checkTargets(args.model, inputs, args.targets);
  const prepared = prepareAttributions(args.attributions, { pool: 'sum', normalise: 'max', abs: false, ...definedOnly(args) });
  if (prepared.length !== n) throw new LrpError('LRP_BAD_SHAPE', `got ${prepared.length} attributions for ${n} samples`);
  const baseline = args.perturbBaseline ?? 0;
  const random = new Random(args.seed ?? 0);
  const steps = Math.ceil(size / k);
  const softmax = args.softmax ?? true;
  const batch = new BatchedScores({ model: args.model, inputs, batchSize: args.batchSize, softmax });
  const clean = new Float64Array(n);
  const curves = Array.from({ length: n }, () => new Float64Array(steps));
  for (let s = 0; s < n; s++) {
    const current = x.data.slice(s * size, (s + 1) * size);
    await batch.add(current, s, args.targets[s], (p) => (clean[s] = p));
    const a = prepared[s];
    if (a.values.length * (channels / a.channels) !== size) {
      throw new LrpError('LRP_BAD_SHAPE', `attribution ${s} has ${a.values.length} values for an input of ${size}`);
    }
    const order = sortedIndices(perElement(a.values, a.channels, channels), true);
    for (let t = 0; t < steps; t++) {
      const value = baselineValue(baseline, current, random);
      for (let i = t * k; i < Math.min((t + 1) * k, size); i++) current[order[i]] = value;
      await batch.add(current, s, args.targets[s], (p) => (curves[s][t] = p));
    }
  }
  await batch.flush();
  // AoPC: Σ_t (p0 − p_t) / (T + 1)
  const scores = Float64Array.from(curves, (curve, s) => curve.reduce((acc, p) => acc + (clean[s] - p), 0) / (steps + 1));
  return { scores, curves };
}

export const PIXEL_FLIPPING = defineMetric({
  name: 'pixel-flipping',
  direction: 'max',
  category: 'faithfulness',
  data: SCORED_DATA,
  options: { ...PREPARE, ...MODEL_SCORES, featuresInStep: integer({ min: 1 }), perturbBaseline: BASELINE },
  run,
});

export const pixelFlipping = PIXEL_FLIPPING.compute;
