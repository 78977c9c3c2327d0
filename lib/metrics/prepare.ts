// Preparing an attribution for a metric (docs/metrics.md §2): channel axis, channel pooling,
// per-sample normalisation, absolute value. Float64 from here on (§1).
import { LrpError } from '../errors';
import { ChannelPooling, poolChannels } from '../pooling';
import { Tensor } from '../tensor';

export type Normalisation = 'second-moment' | 'max' | 'none' | false;

export interface PrepareOptions {
  pool?: ChannelPooling;
  normalise?: Normalisation;
  abs?: boolean;
}

/** One prepared sample: its values in C order and its (channels, height, width). */
export interface PreparedSample {
  values: Float64Array;
  channels: number;
  height: number;
  width: number;
}

export function prepareAttributions(attributions: Tensor, options: Required<PrepareOptions>): PreparedSample[] {
  const pooled = poolChannels(attributions, options.pool);
  const [n, channels, height, width] = pooled.shape;
  const size = channels * height * width;
  const samples: PreparedSample[] = [];
  for (let s = 0; s < n; s++) {
    const values = Float64Array.from(pooled.data.subarray(s * size, (s + 1) * size));
    if (options.normalise === 'second-moment') {
      // normalize_by_second_moment: a / sqrt(mean(a²)); an all-zero sample becomes NaN (0/0).
      let sq = 0;
      for (const v of values) sq += v * v;
      const scale = Math.sqrt(sq / values.length);
      for (let i = 0; i < values.length; i++) values[i] /= scale;
    } else if (options.normalise === 'max') {
      let max = 0;
      for (const v of values) max = Math.max(max, Math.abs(v));
      if (max > 0) for (let i = 0; i < values.length; i++) values[i] /= max;
    } else if (options.normalise !== 'none' && options.normalise !== false) {
      throw new LrpError('LRP_BAD_ARGUMENT', `unknown normalisation '${options.normalise}' (known: second-moment, max, none)`);
    }
    if (options.abs) for (let i = 0; i < values.length; i++) values[i] = Math.abs(values[i]);
    samples.push({ values, channels, height, width });
  }
  return samples;
}

/** Indices sorted by value, largest first (or smallest first), ties by the smaller index (§1). */
export function sortedIndices(values: Float64Array, descending: boolean): Uint32Array {
  const order = Uint32Array.from(values.keys());
  order.sort((i, j) => {
    const d = descending ? values[j] - values[i] : values[i] - values[j];
    return d !== 0 && !Number.isNaN(d) ? d : i - j;
  });
  return order;
}
