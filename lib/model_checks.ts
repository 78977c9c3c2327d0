// Checks of a model call's inputs and results made in TypeScript, so that messages name what the
// user gave (their batch, their window) rather than the internal tensors of a method.
import { LrpError } from './errors';
import type { ExplainConfig } from './explain/options';
import { Tensor } from './tensor';

const shapeText = (t: Tensor) => `[${t.shape.join(',')}]`;

/** Every input has at least one sample, and all inputs have the same number (dimension 0). */
export function checkBatches(tensors: readonly Tensor[]): void {
  tensors.forEach((t, i) => {
    if (t.shape.length > 0 && t.shape[0] === 0) {
      throw new LrpError('LRP_BAD_INPUT', `the batch is empty: input ${i} has shape ${shapeText(t)} (no sample)`);
    }
  });
  const first = tensors[0];
  if (!first || first.shape.length === 0) return;
  tensors.forEach((t, i) => {
    if (i > 0 && t.shape.length > 0 && t.shape[0] !== first.shape[0]) {
      throw new LrpError('LRP_BAD_SHAPE', `the inputs have different batch sizes: input 0 has ${first.shape[0]} samples ` +
        `(shape ${shapeText(first)}), input ${i} has ${t.shape[0]} (shape ${shapeText(t)})`);
    }
  });
}

/**
 * Occlusion's window and stride: a number applies to every dimension after the batch; a list of L
 * sizes applies to the last L dimensions, so it must have fewer entries than the input has
 * dimensions, and each window size must fit its dimension.
 */
export function checkWindow(config: ExplainConfig, x: Tensor): void {
  if (config.method !== 'occlusion') return;
  const dims = x.shape.slice(1);
  for (const key of ['window', 'stride'] as const) {
    const value = config[key];
    if (!Array.isArray(value)) continue;
    if (value.length > dims.length) {
      throw new LrpError('LRP_BAD_ARGUMENT', `occlusion ${key} [${value.join(',')}] has ${value.length} sizes, but the input ` +
        `${shapeText(x)} has only ${dims.length} dimensions after the batch`);
    }
    const covered = dims.slice(dims.length - value.length);
    if (key === 'window' && value.some((v, j) => v > covered[j])) {
      throw new LrpError('LRP_BAD_ARGUMENT', `occlusion window [${value.join(',')}] is larger than the input's last ` +
        `${value.length} dimension(s) [${covered.join(',')}] (input shape ${shapeText(x)})`);
    }
  }
}

/** The stabilizers in effect for a configuration (composite-wide and per rule), for messages. */
function stabilizers(config: ExplainConfig): string {
  const values = new Set<number>([config.stabilizer ?? 1e-6, config.epsilon ?? 1e-6]);
  for (const rule of config.rules ?? []) {
    if (rule.stabilizer !== undefined) values.add(rule.stabilizer);
    if (rule.epsilon !== undefined) values.add(rule.epsilon);
  }
  return [...values].sort((a, b) => a - b).join(', ');
}

/**
 * A result is never returned with NaN or infinite values: it fails with where the first one sits
 * and the likely cause (a denominator the stabilizer did not keep away from 0, or an overflow).
 */
export function checkFinite(t: Tensor, what: string, dtype: string, config?: ExplainConfig): void {
  const data = t.data;
  let first = -1;
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return;
  const perSample = t.shape.length > 0 && t.shape[0] > 0 ? data.length / t.shape[0] : data.length;
  const where = `${what} has ${count} non-finite value(s) (first: ${data[first]} in sample ${Math.floor(first / perSample)})`;
  const cause = config
    ? `a rule divided by a denominator its stabilizer did not keep away from 0 (stabilizer/epsilon in use: ${stabilizers(config)}; ` +
      `in ${dtype} a stabilizer below ~${dtype === 'float64' ? '1e-300' : '1e-38'} vanishes): use a larger stabilizer or epsilon, or dtype float64`
    : 'the model overflowed: check the input\'s scale';
  throw new LrpError('LRP_NOT_FINITE', `${where}: ${cause}`);
}
