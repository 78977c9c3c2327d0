// Region perturbation (shared/METRICS.md §7, Samek et al. 2016): p×p blocks of the (edge-padded)
// input blurred, or set to a baseline, in order of their attribution; the curve is p0 − p_t.
import { LrpError } from '../errors';
import type { Model } from '../model';
import { Random } from '../random';
import { Tensor } from '../tensor';
import { definedOnly } from './complexity';
import { BatchedScores } from './model_eval';
import { Baseline, baselineValue, CurveScores, perElement } from './pixel_flipping';
import { prepareAttributions, PrepareOptions, sortedIndices } from './prepare';

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

export async function regionPerturbation(args: RegionPerturbationArgs): Promise<CurveScores> {
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
  const prepared = prepareAttributions(args.attributions, { pool: 'sum', normalise: 'max', abs: false, ...definedOnly(args) });
  const [top, bottom] = padding(H, p);
  const [left, right] = padding(W, p);
  const Hp = H + top + bottom;
  const Wp = W + left + right;
  const blocksPerRow = Wp / p;
  const blocks = (Hp / p) * blocksPerRow;
  const R = Math.min(args.regions ?? 50, blocks);
  const order = args.order ?? 'morf';
  const perturb = args.perturb ?? 'blur';
  const baseline = args.perturbBaseline ?? 'black';
  const random = new Random(args.seed ?? 0);
  const softmax = args.softmax ?? true;
  const batch = new BatchedScores({ model: args.model, inputs, batchSize: args.batchSize, softmax });
  const clean = new Float64Array(n);
  const probabilities = Array.from({ length: n }, () => new Float64Array(R));
  const plane = Hp * Wp;
  for (let s = 0; s < n; s++) {
    // X: the sample padded by edge replication; A: its channel-repeated attribution padded with 0.
    const X = new Float64Array(C * plane);
    const A = new Float64Array(C * plane);
    const a = perElement(prepared[s].values, prepared[s].channels, C);
    for (let c = 0; c < C; c++) {
      for (let r = 0; r < Hp; r++) {
        const sr = Math.min(Math.max(r - top, 0), H - 1);
        for (let q = 0; q < Wp; q++) {
          const sq = Math.min(Math.max(q - left, 0), W - 1);
          X[c * plane + r * Wp + q] = x.data[((s * C + c) * H + sr) * W + sq];
          const inside = r >= top && r < top + H && q >= left && q < left + W;
          A[c * plane + r * Wp + q] = inside ? a[(c * H + r - top) * W + q - left] : 0;
        }
      }
    }
    const scores = new Float64Array(blocks);
    for (let j = 0; j < blocks; j++) {
      const r0 = Math.floor(j / blocksPerRow) * p;
      const q0 = (j % blocksPerRow) * p;
      for (let c = 0; c < C; c++) for (let r = r0; r < r0 + p; r++) for (let q = q0; q < q0 + p; q++) scores[j] += A[c * plane + r * Wp + q];
    }
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
    const row = new Float32Array(C * H * W);
    const crop = () => {
      for (let c = 0; c < C; c++) for (let r = 0; r < H; r++) for (let q = 0; q < W; q++) row[(c * H + r) * W + q] = X[c * plane + (r + top) * Wp + q + left];
      return row;
    };
    await batch.add(crop(), s, args.targets[s], (v) => (clean[s] = v));
    const lo = Math.floor(k / 2);
    const hi = k % 2 === 0 ? lo - 1 : lo;
    for (let t = 0; t < R; t++) {
      const j = ranking[t];
      const r0 = Math.floor(j / blocksPerRow) * p;
      const q0 = (j % blocksPerRow) * p;
      const fresh = new Float64Array(C * p * p);
      if (perturb === 'blur') {
        // The k×k mean around each position of the block in the current X, zeros outside X, /k².
        for (let c = 0; c < C; c++) {
          for (let r = r0; r < r0 + p; r++) {
            for (let q = q0; q < q0 + p; q++) {
              let sum = 0;
              for (let rr = Math.max(0, r - lo); rr <= Math.min(Hp - 1, r + hi); rr++) {
                for (let qq = Math.max(0, q - lo); qq <= Math.min(Wp - 1, q + hi); qq++) sum += X[c * plane + rr * Wp + qq];
              }
              fresh[(c * p + r - r0) * p + q - q0] = sum / (k * k);
            }
          }
        }
      } else if (perturb === 'baseline') {
        const value = baselineValue(baseline, X, random);
        fresh.fill(value);
      } else {
        throw new LrpError('LRP_BAD_ARGUMENT', `unknown perturbation '${perturb}' (blur or baseline)`);
      }
      for (let c = 0; c < C; c++) for (let r = 0; r < p; r++) for (let q = 0; q < p; q++) X[c * plane + (r0 + r) * Wp + q0 + q] = fresh[(c * p + r) * p + q];
      await batch.add(crop(), s, args.targets[s], (v) => (probabilities[s][t] = v));
    }
  }
  await batch.flush();
  // Curve d_t = p0 − p_t; AoPC = Σ d_t / (R + 1).
  const curves = probabilities.map((ps, s) => Float64Array.from(ps, (v) => clean[s] - v));
  const scores = Float64Array.from(curves, (d) => d.reduce((acc, v) => acc + v, 0) / (R + 1));
  return { scores, curves };
}
