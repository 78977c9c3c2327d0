// Images in and out of tensors: a photo becomes a normalized (1, 3, H, W) input (sharp decodes and
// resizes it); used by the CLI, demos and metric helpers.
import { LrpError } from '../errors';
import { anyOf, integer, number, object, tupleOf, validate } from '../options/schema';
import { loadSharp } from './sharp';
import { Tensor } from '../tensor';

export interface ReadImageOptions {
  /** Resize to this square side (default 224), or [height, width]. */
  size?: number | [number, number];
  /** Per-channel mean and std of the model's normalization (default ImageNet's). */
  mean?: [number, number, number];
  std?: [number, number, number];
}

const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

const side = integer({ min: 1 });
/** readImage's options as a schema (lib/options/schema.ts). */
export const READ_IMAGE_OPTIONS = object({
  size: anyOf(side, tupleOf(side, 2)),
  mean: tupleOf(number(), 3),
  std: tupleOf(number({ above: 0 }), 3),
});

/** Decodes an image file to (1, 3, H, W) float32: (pixel/255 − mean) / std per channel. */
export async function readImage(file: string, options: ReadImageOptions = {}): Promise<Tensor> {
  validate(READ_IMAGE_OPTIONS, options, 'readImage options');
  const [height, width] = Array.isArray(options.size) ? options.size : [options.size ?? 224, options.size ?? 224];
  const mean = options.mean ?? IMAGENET_MEAN;
  const std = options.std ?? IMAGENET_STD;
  const sharp = loadSharp();
  let raw: Buffer;
  try {
    raw = await sharp(file).removeAlpha().toColourspace('srgb').resize(width, height, { fit: 'fill' }).raw().toBuffer();
  } catch (error) {
    throw new LrpError('LRP_BAD_INPUT', `cannot read image ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const plane = height * width;
  const data = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) data[c * plane + p] = (raw[p * 3 + c] / 255 - mean[c]) / std[c];
  }
  return new Tensor(data, [1, 3, height, width]);
}
