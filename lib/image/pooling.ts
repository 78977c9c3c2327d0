// Channel pooling of attributions (docs/metrics.md §2.2), used by heatmaps and the metrics:
// (N, C, H, W) or (N, H, W) → (N, 1, H, W), or unchanged (N, C, H, W) for `none`.
import { LrpError } from '../errors';
import { Tensor } from '../tensor';

export type ChannelPooling = 'sum' | 'pos-l2-norm-sq' | 'max-norm' | 'none';
export const CHANNEL_POOLINGS: readonly ChannelPooling[] = ['sum', 'pos-l2-norm-sq', 'max-norm', 'none'];

export function poolChannels(attribution: Tensor, pool: ChannelPooling = 'sum'): Tensor {
  if (!CHANNEL_POOLINGS.includes(pool)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `unknown channel pooling '${pool}' (known: ${CHANNEL_POOLINGS.join(', ')})`);
  }
  const shape = attribution.shape.length === 3 ? [attribution.shape[0], 1, ...attribution.shape.slice(1)] : [...attribution.shape];
  if (shape.length !== 4) {
    throw new LrpError('LRP_BAD_SHAPE', `an attribution must be (N, C, H, W) or (N, H, W), got [${attribution.shape.join(',')}]`);
  }
  const [n, c, h, w] = shape;
  if (pool === 'none') return new Tensor(attribution.data, shape);
  const plane = h * w;
  const out = new Float32Array(n * plane);
  const a = attribution.data;
  for (let s = 0; s < n; s++) {
    for (let p = 0; p < plane; p++) {
      let acc = pool === 'max-norm' ? -Infinity : 0;
      for (let k = 0; k < c; k++) {
        const v = a[(s * c + k) * plane + p];
        if (pool === 'sum') acc += v;                                  // Σ_c a_c
        else if (pool === 'pos-l2-norm-sq') acc += v > 0 ? v * v : 0;  // Σ_c max(a_c, 0)²
        else acc = Math.max(acc, Math.abs(v));                         // max_c |a_c|
      }
      out[s * plane + p] = acc;
    }
  }
  return new Tensor(out, [n, 1, h, w]);
}
