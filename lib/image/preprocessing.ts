// One image file to one model input, as torchvision's Resize → CenterCrop → ToTensor → Normalize
// (docs/folder_explain.md): sharp decodes and resizes (bilinear, torchvision's default), the centre
// is cropped to the model's size, and each byte v becomes (v/255 − mean)/std, channel-first.
// The declarations use Node types: the reference keeps them standing on their own (as lib/io/npy.ts).
/// <reference types="node" preserve="true" />
import { LrpError } from '../errors';
import { loadSharp } from './sharp';

export interface Preprocessing {
  /** The model's input size: [height, width], or one side of a square. */
  size: number | [number, number];
  /**
   * Before cropping: an int resizes the shorter side to it (aspect kept, as torchvision's
   * Resize(int)); [height, width] resizes to exactly that. Absent: resize to `size`. false: no
   * resizing; an image of another size is wrong-sized.
   */
  resize?: number | [number, number] | false;
  mean: [number, number, number];
  std: [number, number, number];
}

/** The (height, width) a preprocessing gives. */
export function inputSize(preprocessing: Preprocessing): [number, number] {
  const { size } = preprocessing;
  return Array.isArray(size) ? [size[0], size[1]] : [size, size];
}

/** torchvision's Resize output size: an int scales the shorter side to it, truncating the longer. */
function resizedSize(preprocessing: Preprocessing, height: number, width: number): [number, number] {
  const { resize } = preprocessing;
  if (resize === false) return [height, width];
  if (resize === undefined) return inputSize(preprocessing);
  if (Array.isArray(resize)) return [resize[0], resize[1]];
  return height <= width ? [resize, Math.floor((resize * width) / height)] : [Math.floor((resize * height) / width), resize];
}

/** CenterCrop's offset, as torchvision's int(round((size − crop) / 2)): Python rounds halves to even. */
function cropOffset(size: number, crop: number): number {
  const half = (size - crop) / 2;
  const floor = Math.floor(half);
  return half - floor === 0.5 ? floor + (floor % 2) : Math.round(half);
}

/**
 * Per channel, the normalized value of each byte, every step rounded to float32 as torchvision
 * computes it (ToTensor's v/255, then Normalize's (x − mean)/std).
 */
export function byteLookup(preprocessing: Preprocessing): Float32Array[] {
  const f = Math.fround;
  return [0, 1, 2].map((c) => {
    const mean = f(preprocessing.mean[c]);
    const std = f(preprocessing.std[c]);
    return Float32Array.from({ length: 256 }, (_, v) => f(f(f(v / 255) - mean) / std));
  });
}

/** Why an image cannot be read, as one line. */
function unreadable(file: string, error: unknown): LrpError {
  return new LrpError('LRP_BAD_INPUT', `cannot read image ${file}: ${(error as Error).message.split('\n')[0]}`);
}

/**
 * Decodes `source` (a file path or the encoded bytes; `file` names it in errors) into `into` (3·H·W float32, channel-first) with the given byte lookup. An
 * unreadable or wrong-sized image is an LrpError('LRP_BAD_INPUT') saying why.
 */
export async function preprocessImage(source: string | Buffer, preprocessing: Preprocessing, lookup: Float32Array[], into: Float32Array,
  file = typeof source === 'string' ? source : 'the image'): Promise<void> {
  const [height, width] = inputSize(preprocessing);
  const sharp = loadSharp();
  let pixels: Buffer;
  try {
    const image = sharp(source);
    const meta = await image.metadata();
    if (!meta.width || !meta.height) throw new Error('no image size in the header');
    const [rh, rw] = resizedSize(preprocessing, meta.height, meta.width);
    if (rh < height || rw < width) {
      const how = preprocessing.resize === false ? 'resizing is off (preprocessing.resize false)' : `resized to ${rw}x${rh}`;
      throw new LrpError('LRP_BAD_INPUT', `wrong-sized image ${file}: ${meta.width}x${meta.height}, ${how}, smaller than the model's ${width}x${height}`);
    }
    let pipeline = image.removeAlpha().toColourspace('srgb');
    if (rh !== meta.height || rw !== meta.width) pipeline = pipeline.resize(rw, rh, { fit: 'fill', kernel: 'linear' });
    if (rh !== height || rw !== width) {
      if (preprocessing.resize === false) {
        throw new LrpError('LRP_BAD_INPUT', `wrong-sized image ${file}: ${meta.width}x${meta.height}, the model takes ${width}x${height} (preprocessing.resize is false)`);
      }
      pipeline = pipeline.extract({ left: cropOffset(rw, width), top: cropOffset(rh, height), width, height });
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== width || info.height !== height) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}, not ${width}x${height}x3`);
    }
    pixels = data;
  } catch (error) {
    throw error instanceof LrpError ? error : unreadable(file, error);
  }
  const plane = height * width;
  for (let c = 0; c < 3; c++) {
    const table = lookup[c];
    const channel = into.subarray(c * plane, (c + 1) * plane);
    for (let p = 0; p < plane; p++) channel[p] = table[pixels[p * 3 + c]];
  }
}
