// Heatmaps of relevance: channel pooling, a colour map (zennit's, or one in its notation), and
// optionally the input image underneath; written as PNG with sharp.
// Buffer in the declarations: keep the Node types referenced (lib/io/npy.ts says why).
/// <reference types="node" preserve="true" />
import { writeFileAtomic } from '../io/atomic_write';
import { COLORMAPS, palette } from './colormap';
import { boolean, custom, number, object, oneOf, validate } from '../options/schema';
import { loadSharp } from './sharp';
import { LrpError } from '../errors';
import { CHANNEL_POOLINGS, ChannelPooling, poolChannels } from './pooling';
import { Tensor } from '../tensor';

export interface HeatmapOptions {
  /** Channel pooling before colouring (default `sum`). */
  pool?: ChannelPooling;
  /** A colour map name (bwr, coldnhot, gray, hot, wred, wblue, cold, france, seismic, coolio, coleus) or source. */
  cmap?: string;
  /** Map [-max|a|, max|a|] to the colour map, so 0 is its centre (default true); false: [min, max]. */
  symmetric?: boolean;
  /** zennit's palette level: > 1 saturates earlier (default 1). */
  level?: number;
  /** The model input (N, 3, H, W) to blend under the heatmap, min–max scaled per sample. */
  overlay?: Tensor;
  /** The heatmap's weight over the overlay (default 0.6). */
  alpha?: number;
}

function isColorMap(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    palette(value);
    return true;
  } catch {
    return false;
  }
}

/** The heatmap options as a schema (lib/options/schema.ts). */
export const HEATMAP_OPTIONS = object({
  pool: oneOf(...CHANNEL_POOLINGS.filter((p) => p !== 'none')),
  cmap: custom(`a colour map (${Object.keys(COLORMAPS).join(', ')}, or zennit's notation such as '00f,80:fff,f00')`, isColorMap),
  symmetric: boolean(),
  level: number({ above: 0 }),
  overlay: custom('a Tensor (N, C, H, W)', (v) => typeof v === 'object' && v !== null && (v as Tensor).data instanceof Float32Array),
  alpha: number({ min: 0, max: 1 }),
});

/** One RGB image (H·W·3 bytes) per sample; the samples' heatmaps are scaled independently. */
export function heatmapPixels(relevance: Tensor, options: HeatmapOptions = {}): { width: number; height: number; images: Uint8Array[] } {
  validate(HEATMAP_OPTIONS, options, 'heatmap options');
  const pool = options.pool ?? 'sum';
  if (pool === 'none') throw new LrpError('LRP_BAD_ARGUMENT', "a heatmap needs one channel: pool must not be 'none'");
  const pooled = poolChannels(relevance, pool);
  const [n, , height, width] = pooled.shape;
  const colors = palette(options.cmap ?? 'bwr', options.level ?? 1);
  const symmetric = options.symmetric ?? true;
  const alpha = options.alpha ?? 0.6;
  const plane = height * width;
  if (options.overlay && (options.overlay.shape.length !== 4 || options.overlay.shape[0] !== n ||
      options.overlay.shape[2] !== height || options.overlay.shape[3] !== width)) {
    throw new LrpError('LRP_BAD_SHAPE', `the overlay must be (${n}, C, ${height}, ${width}), got [${options.overlay.shape.join(',')}]`);
  }
  const images: Uint8Array[] = [];
  for (let s = 0; s < n; s++) {
    const values = pooled.data.subarray(s * plane, (s + 1) * plane);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (Number.isNaN(v)) throw new LrpError('LRP_BAD_INPUT', `relevance of sample ${s} contains NaN`);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (symmetric) {
      hi = Math.max(Math.abs(lo), Math.abs(hi));
      lo = -hi;
    }
    const span = hi - lo || 1;
    const image = new Uint8Array(plane * 3);
    for (let p = 0; p < plane; p++) {
      const index = Math.min(255, Math.max(0, Math.floor(((values[p] - lo) / span) * 255)));
      for (let ch = 0; ch < 3; ch++) image[p * 3 + ch] = colors[index * 3 + ch];
    }
    if (options.overlay) blend(image, options.overlay, s, alpha);
    images.push(image);
  }
  return { width, height, images };
}

function blend(image: Uint8Array, overlay: Tensor, sample: number, alpha: number): void {
  const [, channels, height, width] = overlay.shape;
  const plane = height * width;
  const base = overlay.data.subarray(sample * channels * plane, (sample + 1) * channels * plane);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of base) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  for (let p = 0; p < plane; p++) {
    for (let ch = 0; ch < 3; ch++) {
      const v = ((base[(channels === 3 ? ch : 0) * plane + p] - lo) / span) * 255;
      image[p * 3 + ch] = Math.round(alpha * image[p * 3 + ch] + (1 - alpha) * v);
    }
  }
}

/** The PNG bytes of the heatmaps of all samples side by side (one row). */
export async function encodeHeatmapPng(relevance: Tensor, options: HeatmapOptions = {}): Promise<Buffer> {
  const { width, height, images } = heatmapPixels(relevance, options);
  const row = Buffer.alloc(width * images.length * height * 3);
  images.forEach((image, s) => {
    for (let y = 0; y < height; y++) {
      const from = y * width * 3;
      image.subarray(from, from + width * 3).forEach((v, x) => {
        row[(y * width * images.length + s * width) * 3 + x] = v;
      });
    }
  });
  const sharp = loadSharp();
  return sharp(row, { raw: { width: width * images.length, height, channels: 3 } }).png().toBuffer();
}

/** Writes the heatmaps of all samples side by side (one row) as a PNG, atomically. */
export async function writeHeatmapPng(file: string, relevance: Tensor, options: HeatmapOptions = {}): Promise<void> {
  await writeFileAtomic(file, await encodeHeatmapPng(relevance, options));
}
