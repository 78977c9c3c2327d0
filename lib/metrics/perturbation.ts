// What the perturbation metrics share (docs/metrics.md §8–10): the baseline a perturbed element
// takes, the attribution of every input element, and the result of a curve metric.
import { LrpError } from '../errors';
import { Random } from '../util/random';

export type Baseline = number | 'black' | 'white' | 'mean' | 'uniform';

export interface CurveScores {
  /** AoPC per sample (docs/metrics.md §9). */
  scores: Float64Array;
  /** Per sample, the target probability (or logit) after each step, without the clean one. */
  curves: Float64Array[];
}

/** The attribution of every input element: a one-channel attribution repeats across C channels. */
export function perElement(values: Float64Array, channels: number, inputChannels: number): Float64Array {
  if (channels === inputChannels) return values;
  if (channels !== 1) throw new LrpError('LRP_BAD_SHAPE', `an attribution with ${channels} channels does not fit an input with ${inputChannels}`);
  const out = new Float64Array(values.length * inputChannels);
  for (let c = 0; c < inputChannels; c++) out.set(values, c * values.length);
  return out;
}

/** The baseline value of one step: a number, or min / max / mean of the current sample, or U(0, 1). */
export function baselineValue(baseline: Baseline, x: ArrayLike<number>, random: Random): number {
  if (typeof baseline === 'number') return baseline;
  if (baseline === 'uniform') return random.next();
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  if (baseline === 'black') return min;
  if (baseline === 'white') return max;
  if (baseline === 'mean') return sum / x.length;
  throw new LrpError('LRP_BAD_ARGUMENT', `unknown baseline '${baseline}' (a number, black, white, mean or uniform)`);
}
