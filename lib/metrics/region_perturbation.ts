// Region perturbation (docs/metrics.md §7, Samek et al. 2016): p×p blocks of the (edge-padded)
// input blurred, or set to a baseline, in order of their attribution; the curve is p0 − p_t.
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
import { integer, oneOf } from '../options/schema';
import { checkTargets } from './targets';

export interface RegionPerturbationArgs extends PrepareOptions {
  model: Model;
  inputs: Tensor | Tensor[];
  targets: readonly number[];
  attributions: Tensor;
  patchSize?: number;
  regions?: number;
  order?: 'morf' | 'lerf' | 'random';
  perturb?: 'blur' | 'baseline';
  blurKernelSize?: number;
  perturbBaseline?: Baseline;
  softmax?: boolean;
  batchSize?: number;
  seed?: number;
}

// ⌊t/2⌋ before and ⌈t/2⌉ after, t = p − (L mod p), when L is not a multiple of p.
function padding(length: number, p: number): [number, number] {
  const rest = length % p;
  if (rest === 0) return [0, 0];
  const t = p - rest;
  return [Math.floor(t / 2), Math.ceil(t / 2)];
}

/** The image (C, H, W) inside its padded grid (C, Hp, Wp), cut into p×p blocks numbered row by row. */
interface Grid {
  C: number;
  H: number;
  W: number;
  top: number;
  left: number;
  Hp: number;
  Wp: number;
  p: number;
  blocksPerRow: number;
}

// The hot loops live in small synchronous functions, which V8 optimises early, rather than in the
// async metric body.

/** Sample `s` of x (float32, (N, C, H, W)) padded by edge replication, in float64. */
function edgePadded(x: Float32Array, s: number, g: Grid): Float64Array {
  const { C, H, W, top, left, Hp, Wp } = g;
  const X = new Float64Array(C * Hp * Wp);
  for (let c = 0; c < C; c++) {
    for (let r = 0; r < Hp; r++) {
      const source = ((s * C + c) * H + Math.min(Math.max(r - top, 0), H - 1)) * W;
      const target = (c * Hp + r) * Wp;
      for (let q = 0; q < left; q++) X[target + q] = x[source];
      for (let q = 0; q < W; q++) X[target + left + q] = x[source + q];
      for (let q = left + W; q < Wp; q++) X[target + q] = x[source + W - 1];
    }
  }
  return X;
}

/** Per block, the sum of the channel-repeated attribution `a` (C, H, W) over the block; the zero
 * padding adds nothing, so only the block's part inside the image is summed (in the same order). */
function blockSums(a: Float64Array, g: Grid, blocks: number): Float64Array {
  const { C, H, W, top, left, p, blocksPerRow } = g;
  const scores = new Float64Array(blocks);
  for (let j = 0; j < blocks; j++) {
    const r0 = Math.floor(j / blocksPerRow) * p;
    const q0 = (j % blocksPerRow) * p;
    const rBegin = Math.max(r0, top);
    const rEnd = Math.min(r0 + p, top + H);
    const qBegin = Math.max(q0, left);
    const qEnd = Math.min(q0 + p, left + W);
    let sum = 0;
    for (let c = 0; c < C; c++) {
      for (let r = rBegin; r < rEnd; r++) {
        for (let q = qBegin; q < qEnd; q++) sum += a[(c * H + r - top) * W + q - left];
      }
    }
    scores[j] = sum;
  }
  return scores;
}

/** Into `fresh` (C, p, p): the k×k mean around each position of the block at (r0, q0) in the
 * current X, reading zeros outside X and dividing by k² everywhere. */
function blurBlock(X: Float64Array, g: Grid, r0: number, q0: number, k: number, fresh: Float64Array): void {
  const { C, Hp, Wp, p } = g;
  const lo = Math.floor(k / 2);
  const hi = k % 2 === 0 ? lo - 1 : lo;
  for (let c = 0; c < C; c++) {
    const plane = c * Hp * Wp;
    for (let r = r0; r < r0 + p; r++) {
      for (let q = q0; q < q0 + p; q++) {
        let sum = 0;
        for (let rr = Math.max(0, r - lo); rr <= Math.min(Hp - 1, r + hi); rr++) {
          for (let qq = Math.max(0, q - lo); qq <= Math.min(Wp - 1, q + hi); qq++) sum += X[plane + rr * Wp + qq];
        }
        fresh[(c * p + r - r0) * p + q - q0] = sum / (k * k);
      }
    }
  }
}

/** Writes `fresh` into the block at (r0, q0) of X, and the block's part inside the image into
 * `cropped` (C, H, W), the float32 image the model sees. */
function writeBlock(X: Float64Array, cropped: Float32Array, g: Grid, r0: number, q0: number, fresh: Float64Array): void {
  const { C, H, W, top, left, Hp, Wp, p } = g;
  for (let c = 0; c < C; c++) {
    for (let r = 0; r < p; r++) {
      for (let q = 0; q < p; q++) X[(c * Hp + r0 + r) * Wp + q0 + q] = fresh[(c * p + r) * p + q];
    }
  }
  const rBegin = Math.max(r0, top);
  const rEnd = Math.min(r0 + p, top + H);
  const qBegin = Math.max(q0, left);
  const qEnd = Math.min(q0 + p, left + W);
  for (let c = 0; c < C; c++) {
    for (let r = rBegin; r < rEnd; r++) {
      for (let q = qBegin; q < qEnd; q++) cropped[(c * H + r - top) * W + q - left] = X[(c * Hp + r) * Wp + q];
    }
  }
}

async function run(args: RegionPerturbationArgs): Promise<CurveScores> {
  const inputs = Array.isArray(args.inputs) ? args.inputs : [args.inputs];
  const x = inputs[0];
  if (x.shape.length !== 4) throw new LrpError('LRP_BAD_SHAPE', `region perturbation needs (N, C, H, W) inputs, got [${x.shape.join(',')}]`);
  const [n, C, H, W] = x.shape;
  const p = args.patchSize ?? 14;
  const k = args.blurKernelSize ?? 15;
  if (!Number.isInteger(p) || p < 1 || p > Math.min(H, W)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `patchSize must be an integer from 1 to ${Math.min(H, W)} (the image is ${H}×${W}), got ${p}`);
  }
  if (args.targets.length !== n) throw new LrpError('LRP_BAD_ARGUMENT', `got ${args.targets.length} targets for ${n} samples`);
  // The targets against the model's classes, on the user's batch, before any perturbation.
  await checkTargets(args.model, inputs, args.targets);
  const prepared = prepareAttributions(args.attributions, { pool: 'sum', normalise: 'max', abs: false, ...definedOnly(args) });
  if (prepared.length !== n) throw new LrpError('LRP_BAD_SHAPE', `got ${prepared.length} attributions for ${n} samples`);
  prepared.forEach((a, s) => {
    if (a.values.length * (C / a.channels) !== C * H * W) {
      throw new LrpError('LRP_BAD_SHAPE', `attribution ${s} has ${a.values.length} values for an input of ${C * H * W}`);
    }
  });
  const [top, bottom] = padding(H, p);
  const [left, right] = padding(W, p);
  const Hp = H + top + bottom;
  const Wp = W + left + right;
  const g: Grid = { C, H, W, top, left, Hp, Wp, p, blocksPerRow: Wp / p };
  const blocks = (Hp / p) * g.blocksPerRow;
  const R = Math.min(args.regions ?? 50, blocks);
  const order = args.order ?? 'morf';
  const perturb = args.perturb ?? 'blur';
  const baseline = args.perturbBaseline ?? 'black';
  const random = new Random(args.seed ?? 0);
  const softmax = args.softmax ?? true;
  const batch = new BatchedScores({ model: args.model, inputs, batchSize: args.batchSize, softmax });
  const clean = new Float64Array(n);
  const probabilities = Array.from({ length: n }, () => new Float64Array(R));
  const fresh = new Float64Array(C * p * p);
  for (let s = 0; s < n; s++) {
    // X: the sample padded by edge replication. Block scores: the channel-repeated attribution
    // padded with 0, summed per block.
    const X = edgePadded(x.data, s, g);
    const scores = blockSums(perElement(prepared[s].values, prepared[s].channels, C), g, blocks);
    let ranking: ArrayLike<number>;
    if (order === 'random') {
      const perm = Array.from({ length: blocks }, (_, i) => i);
      for (let i = blocks - 1; i > 0; i--) {
        const j = Math.floor(random.next() * (i + 1));
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      ranking = perm;
    } else if (order === 'morf' || order === 'lerf') {
      ranking = sortedIndices(scores, order === 'morf');
    } else {
      throw new LrpError('LRP_BAD_ARGUMENT', `unknown order '${order}' (morf, lerf or random)`);
    }
    // The cropped image the model sees: the sample itself at first (the crop of its edge padding),
    // then updated block by block, so a step touches only its own block.
    const cropped = x.data.slice(s * C * H * W, (s + 1) * C * H * W);
    await batch.add(cropped, s, args.targets[s], (v) => (clean[s] = v));
    // "black" / "white" are the min / max of the current X; setting a block to the min (max) leaves
    // the min (max) where it was, so one scan per sample gives every step's value exactly.
    const fixed = perturb === 'baseline' && (baseline === 'black' || baseline === 'white') ? baselineValue(baseline, X, random) : undefined;
    for (let t = 0; t < R; t++) {
      const j = ranking[t];
      const r0 = Math.floor(j / g.blocksPerRow) * p;
      const q0 = (j % g.blocksPerRow) * p;
      if (perturb === 'blur') {
        blurBlock(X, g, r0, q0, k, fresh);
      } else if (perturb === 'baseline') {
        fresh.fill(fixed ?? baselineValue(baseline, X, random));
      } else {
        throw new LrpError('LRP_BAD_ARGUMENT', `unknown perturbation '${perturb}' (blur or baseline)`);
      }
      writeBlock(X, cropped, g, r0, q0, fresh);
      await batch.add(cropped, s, args.targets[s], (v) => (probabilities[s][t] = v));
    }
  }
  await batch.flush();
  // Curve d_t = p0 − p_t; AoPC = Σ d_t / (R + 1).
  const curves = probabilities.map((ps, s) => Float64Array.from(ps, (v) => clean[s] - v));
  const scores = Float64Array.from(curves, (d) => d.reduce((acc, v) => acc + v, 0) / (R + 1));
  return { scores, curves };
}

export const REGION_PERTURBATION = defineMetric({
  name: 'region-perturbation',
  direction: 'max',
  category: 'faithfulness',
  data: SCORED_DATA,
  options: {
    ...PREPARE, ...MODEL_SCORES, patchSize: integer({ min: 1 }), regions: integer({ min: 1 }), order: oneOf('morf', 'lerf', 'random'),
    perturb: oneOf('blur', 'baseline'), blurKernelSize: integer({ min: 1 }), perturbBaseline: BASELINE,
  },
  run,
});

export const regionPerturbation = REGION_PERTURBATION.compute;
