// Preparing an attribution for a metric (docs/metrics.md §2): channel axis, channel pooling,
// per-sample normalisation, absolute value. Float64 from here on (§1).
import { LrpError } from '../errors';
import { ChannelPooling, poolChannels } from '../image/pooling';
import { Tensor } from '../tensor';
import { definedOnly } from '../util/defined_only';

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
  // The radix sort gives the same order as the comparison sort, several times faster on the sizes
  // of an image; it needs a total order, which NaN breaks, and pays off from a few hundred values.
  if (values.length >= RADIX_FROM && !values.some(Number.isNaN)) return radixOrder(values, descending);
  const order = Uint32Array.from(values.keys());
  order.sort((i, j) => {
    const d = descending ? values[j] - values[i] : values[i] - values[j];
    return d !== 0 && !Number.isNaN(d) ? d : i - j;
  });
  return order;
}

const RADIX_FROM = 256;

/**
 * Stable LSD radix sort of the indices by a 64-bit key that orders as the values do: the IEEE bits
 * with the sign bit flipped for values ≥ 0 and all bits flipped for values < 0 (−0 counts as +0, as
 * the comparison does); all bits flipped again for descending order. Stability keeps equal values
 * in index order, the comparison sort's tie-break.
 */
function radixOrder(values: Float64Array, descending: boolean): Uint32Array {
  const n = values.length;
  const word = new Uint32Array(2);
  const float = new Float64Array(word.buffer);
  // (low, high) 32-bit halves of each key and its index, moved together pass by pass.
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    float[0] = values[i] === 0 ? 0 : values[i];
    const negative = word[1] >>> 31 === 1;
    // little-endian: word 0 is the low half, word 1 the high half (with the sign bit)
    const flipLow = negative !== descending ? 0xffffffff : 0;
    const flipHigh = negative ? (descending ? 0 : 0xffffffff) : descending ? 0x7fffffff : 0x80000000;
    lo[i] = (word[0] ^ flipLow) >>> 0;
    hi[i] = (word[1] ^ flipHigh) >>> 0;
    order[i] = i;
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let order2 = new Uint32Array(n);
  const counts = new Uint32Array(256);
  for (let pass = 0; pass < 8; pass++) {
    const key = pass < 4 ? lo : hi;
    const shift = (pass & 3) * 8;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(key[i] >>> shift) & 255]++;
    if (counts[(key[0] >>> shift) & 255] === n) continue; // every key has this byte alike: nothing moves
    for (let b = 0, total = 0; b < 256; b++) {
      const c = counts[b];
      counts[b] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const to = counts[(key[i] >>> shift) & 255]++;
      lo2[to] = lo[i];
      hi2[to] = hi[i];
      order2[to] = order[i];
    }
    [lo, lo2, hi, hi2, order, order2] = [lo2, lo, hi2, hi, order2, order];
  }
  return order;
}

/** The model-free metrics' preparation (sparseness, complexity, rra, rma): the paper's, sum pooling,
 * second moment and absolute value, unless the options say otherwise. */
export function prepareModelFree(args: PrepareOptions & { attributions: Tensor }): PreparedSample[] {
  return prepareAttributions(args.attributions, { pool: 'sum', normalise: 'second-moment', abs: true, ...definedOnly(args) });
}
