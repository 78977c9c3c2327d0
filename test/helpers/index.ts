import * as fs from 'fs';
import * as path from 'path';

import { LrpError, Model, readNpy, Tensor } from '../../lib';

export const MODELS = path.join(__dirname, '..', 'fixtures', 'models');
export const REPO = path.join(__dirname, '..', '..');
export const CLI = path.join(REPO, 'dist', 'cli', 'main.js');

export interface FixtureModel {
  inputs: number[][];
  output: number[];
  modules: Record<string, number>;
}

export const manifest = JSON.parse(fs.readFileSync(path.join(MODELS, 'manifest.json'), 'utf8')) as {
  torch: string;
  models: Record<string, FixtureModel>;
};
export const FAMILIES = Object.keys(manifest.models);

export function modelPath(name: string): string {
  return path.join(MODELS, `${name}.pt`);
}

export async function fixtureInputs(name: string): Promise<Tensor[]> {
  return Promise.all(manifest.models[name].inputs.map((_, k) => readNpy(path.join(MODELS, `${name}.input${k}.npy`))));
}

export async function fixtureOutput(name: string): Promise<Tensor> {
  return readNpy(path.join(MODELS, `${name}.output.npy`));
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

export function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** Float32 round-off bound for outputs of these small models: a few ulps of the largest logit
 * times the depth, i.e. 1e-5 relative (float32 epsilon is 1.2e-7; ~20 layers of accumulation). */
export function roundOff(reference: Float32Array): number {
  return 1e-5 * Math.max(1, maxAbs(reference));
}

/** Repeats the batch (dimension 0) of a tensor `times` times. */
export function repeatBatch(t: Tensor, times: number): Tensor {
  const data = new Float32Array(t.data.length * times);
  for (let k = 0; k < times; k++) data.set(t.data, k * t.data.length);
  return new Tensor(data, [t.shape[0] * times, ...t.shape.slice(1)]);
}

/** Two float64 runs rounded to float32 outputs: equal up to one float32 ulp per element (the
 * float64 results differ by float64 round-off only; rounding each to float32 can split them by
 * at most one ulp, ≤ 2^-23 relative). Returns the worst ratio of difference to that bound. */
export function ulpRatio(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const bound = 2 ** -23 * Math.max(Math.abs(a[i]), Math.abs(b[i])) + 1e-30;
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / bound);
  }
  return worst;
}

/** The error a promise rejects with: an LrpError whose message is one line. */
export async function rejection(promise: Promise<unknown>): Promise<LrpError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LrpError);
    expect((error as Error).message).not.toContain('\n');
    return error as LrpError;
  }
  throw new Error('expected a rejection');
}

/**
 * Whether `promise` is still pending once every microtask queued so far, and those they queue (up
 * to `turns` deep), has run, before the event loop turns once. A native call whose completion
 * comes from another thread (through the loop) is pending then, whatever the load; one whose work
 * ran on the JS thread inside the call and resolved at once is settled. No clock is read.
 */
export async function pendingBeforeLoopTurns(promise: Promise<unknown>, turns = 1000): Promise<boolean> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  for (let k = 0; k < turns && !settled; k++) await Promise.resolve();
  return !settled;
}

/** ‖a − b‖ / ‖b‖: the distance of a result from its reference, relative to the reference. */
export function relativeL2(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** A zennit reference case of a composite: its target, canonize setting and float32-vs-float64 spread. */
export interface CompositeCase {
  composite: string;
  canonize: unknown;
  target: number[];
  float32VsFloat64: number;
}

/**
 * Explains `inputs` as the case says and compares with zennit's relevance: within 5× zennit's own
 * float32-vs-float64 relative L2 difference on the case, + 1e-6 (the parity tests' tolerance).
 */
export async function expectCompositeParity(model: Model, inputs: Tensor | Tensor[], spec: CompositeCase,
  bounds: { low: number; high: number }, reference: string): Promise<void> {
  const expected = await readNpy(reference);
  const { relevance } = await model.explain(inputs, {
    target: spec.target, composite: spec.composite as never, canonize: spec.canonize as never, low: bounds.low, high: bounds.high,
  });
  expect(relevance.shape).toEqual(expected.shape);
  expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(5 * spec.float32VsFloat64 + 1e-6);
}

