// What the localisation metrics (rra.ts, rma.ts; docs/metrics.md §5–6) share: binary masks, their
// check, bounding boxes turned into masks, and each sample's attribution beside its mask.
import { LrpError } from '../errors';
import { Tensor } from '../tensor';
import { prepareModelFree, PrepareOptions, PreparedSample } from './prepare';

export interface LocalisationArgs extends PrepareOptions {
  attributions: Tensor;
  /** (N, 1, H, W) or (N, H, W); non-zero = inside. */
  masks: Tensor;
}

/** A box in pixels, [x0, y0, x1, y1) as in Pascal VOC (x1, y1 exclusive). */
export type Box = [number, number, number, number];

/** One (1, H, W) mask per sample from its boxes (the union when a sample has several). */
export function boxesToMasks(boxes: readonly (readonly Box[])[], height: number, width: number): Tensor {
  const data = new Float32Array(boxes.length * height * width);
  boxes.forEach((list, s) => {
    for (const [x0, y0, x1, y1] of list) {
      for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1)); y++) {
        for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++) data[(s * height + y) * width + x] = 1;
      }
    }
  });
  return new Tensor(data, [boxes.length, 1, height, width]);
}

/** Masks hold 0 and 1 only (docs/cli.md: masks are .npy of 0/1); anything else is an error. */
export function checkMasks(masks: Tensor): void {
  const data = masks.data;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0 && data[i] !== 1) {
      const perSample = masks.shape.length > 0 && masks.shape[0] > 0 ? data.length / masks.shape[0] : data.length;
      throw new LrpError('LRP_BAD_INPUT', `masks must hold only 0 and 1; sample ${Math.floor(i / perSample)} has ${data[i]} ` +
        `(at flat index ${i % perSample})`);
    }
  }
}

// The mask of each sample, flattened like its prepared attribution (repeated over its channels).
function maskFor(masks: Tensor, sample: PreparedSample, index: number, count: number): Uint8Array {
  const plane = sample.height * sample.width;
  const shape = masks.shape.length === 3 ? [masks.shape[0], 1, ...masks.shape.slice(1)] : masks.shape;
  if (shape.length !== 4 || shape[0] !== count || shape[1] !== 1 || shape[2] !== sample.height || shape[3] !== sample.width) {
    throw new LrpError('LRP_BAD_SHAPE', `masks must be (${count}, 1, ${sample.height}, ${sample.width}) to match the attributions, got [${masks.shape.join(',')}]`);
  }
  const out = new Uint8Array(sample.channels * plane);
  for (let c = 0; c < sample.channels; c++) {
    for (let p = 0; p < plane; p++) out[c * plane + p] = masks.data[index * plane + p] !== 0 ? 1 : 0;
  }
  return out;
}

/** Each sample's prepared attribution and its mask, flattened alike. */
export function withMasks(args: LocalisationArgs): Array<{ sample: PreparedSample; mask: Uint8Array }> {
  checkMasks(args.masks);
  const samples = prepareModelFree(args);
  return samples.map((sample, i) => ({ sample, mask: maskFor(args.masks, sample, i, samples.length) }));
}
