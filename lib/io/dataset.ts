// Data folders with one index.json per split (docs/data.md): PNG images (and uint8 masks) named by
// the index, labels, optional question vectors, and the preprocessing that turns the images into
// model inputs. sharp decodes the images.
import { promises as fs } from 'fs';
import * as path from 'path';

import { LrpError } from '../errors';
import { readJsonFile } from './json_file';
import { integer, listOf, number, object, Refine, required, string, validate } from '../options/schema';
import { loadSharp } from '../image/sharp';
import { Tensor } from '../tensor';

export interface Dataset {
  /** The folder holding index.json; image and mask paths are relative to it. */
  root: string;
  name: string;
  /** Image paths as the index gives them (relative to root), in sample order. */
  files: string[];
  /** Model inputs in the traced forward's order: [images (N,3,H,W)] or [images, questions (N,L)]. */
  inputs: Tensor[];
  /** The label (class index) of each sample. */
  targets: Int32Array;
  /** (N,1,H,W) float32, 1 where the object is, when the index names masks. */
  masks?: Tensor;
  classes: string[];
}

export interface LoadDatasetOptions {
  /** At most this many samples (default: all from offset on). */
  limit?: number;
  /** Skip this many samples first (default 0). */
  offset?: number;
}

interface IndexSample {
  image: string;
  label: number;
  mask?: string;
  boxes?: number[][];
  question?: number[];
  text?: string;
}

interface Index {
  name: string;
  split: string;
  classes: string[];
  preprocessing: { size: [number, number]; mean: number[]; std: number[] };
  questionLength: number;
  samples: IndexSample[];
}

const exactLength = (key: string, length: number): Refine => (o, at) => {
  const list = o[key] as unknown[] | undefined;
  if (list !== undefined && list.length !== length) {
    throw new LrpError('LRP_BAD_INPUT', `${at}.${key} must have ${length} entries, got ${list.length}`);
  }
};

const boxIsOrdered: Refine = (o, at) => {
  for (const [i, box] of ((o.boxes as number[][] | undefined) ?? []).entries()) {
    const [x0, y0, x1, y1] = box;
    if (box.length !== 4 || !(x0 < x1 && y0 < y1)) throw new LrpError('LRP_BAD_INPUT', `${at}.boxes[${i}] must be [x0, y0, x1, y1] with x0 < x1 and y0 < y1, got [${box.join(', ')}]`);
  }
};

const SAMPLE = object({
  image: required(string()),
  label: required(integer({ min: 0 })),
  mask: string(),
  boxes: listOf(listOf(number({ min: 0 }), 4)),
  question: listOf(number()),
  text: string(false),
}, { refine: boxIsOrdered });

const PREPROCESSING = object({
  size: required(listOf(integer({ min: 1 }), 2)),
  mean: required(listOf(number(), 3)),
  std: required(listOf(number({ above: 0 }), 3)),
}, { refine: (o, at) => { exactLength('size', 2)(o, at); exactLength('mean', 3)(o, at); exactLength('std', 3)(o, at); } });

/** Labels within the classes, question vectors of questionLength, masks on all samples or none. */
const consistent: Refine = (o, at) => {
  const index = o as unknown as Index;
  const withMask = index.samples.filter((s) => s.mask !== undefined).length;
  index.samples.forEach((s, i) => {
    const where = `${at}: samples[${i}]`;
    if (s.label >= index.classes.length) {
      throw new LrpError('LRP_BAD_INPUT', `${where}.label ${s.label} is not a class index (${index.classes.length} classes)`);
    }
    if (index.questionLength > 0 && s.question?.length !== index.questionLength) {
      throw new LrpError('LRP_BAD_INPUT', `${where}.question must have questionLength = ${index.questionLength} numbers, got ${s.question === undefined ? 'none' : s.question.length}`);
    }
    if (index.questionLength === 0 && s.question !== undefined) {
      throw new LrpError('LRP_BAD_INPUT', `${where} has a question but questionLength is 0`);
    }
    if (withMask > 0 && withMask < index.samples.length && s.mask === undefined) {
      throw new LrpError('LRP_BAD_INPUT', `${where} has no mask, but other samples have one (all or none)`);
    }
  });
};

const INDEX = object({
  name: required(string()),
  split: required(string()),
  classes: required(listOf(string(), 1)),
  preprocessing: required(PREPROCESSING),
  questionLength: required(integer({ min: 0 })),
  samples: required(listOf(SAMPLE, 1)),
}, { refine: consistent });

const OPTIONS = object({ limit: integer({ min: 1 }), offset: integer({ min: 0 }) });

/** Schema errors of a data file are bad input (the file is wrong, not the call). */
function asBadInput<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    const e = LrpError.from(error);
    throw e.code === 'LRP_BAD_ARGUMENT' ? new LrpError('LRP_BAD_INPUT', e.message) : e;
  }
}

/** Decodes one image to raw interleaved pixels of the given channels and size. */
async function decode(file: string, what: string, channels: 1 | 3, [height, width]: [number, number]): Promise<Buffer> {
  try {
    await fs.access(file);
  } catch {
    throw new LrpError('LRP_FILE_NOT_FOUND', `${what} not found: ${file}`);
  }
  const sharp = loadSharp();
  const colour = (image: ReturnType<typeof sharp>) =>
    (channels === 3 ? image.removeAlpha().toColourspace('srgb') : image.extractChannel(0).toColourspace('b-w'));
  try {
    const { data, info } = await colour(sharp(file)).raw().toBuffer({ resolveWithObject: true });
    if (info.width === width && info.height === height && info.channels === channels) return data;
    // Masks are resized by nearest neighbour so that they stay binary.
    const resized = sharp(file).resize(width, height, { fit: 'fill', kernel: channels === 1 ? 'nearest' : 'lanczos3' });
    return await colour(resized).raw().toBuffer();
  } catch (error) {
    throw new LrpError('LRP_BAD_INPUT', `cannot read ${what} ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * Per channel, the normalized value of each byte: (v/255 − mean)/std with every step rounded to
 * float32, as numpy computes it in float32 (bench/benchmark/training.py), so both sides agree.
 */
function normalizationTable(mean: number[], std: number[]): Float32Array[] {
  const f = Math.fround;
  return [0, 1, 2].map((c) => Float32Array.from({ length: 256 }, (_, v) => f(f(f(v / 255) - f(mean[c])) / f(std[c]))));
}

async function mapLimited<T>(count: number, parallel: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return results;
}

/** Reads a split from its folder or its index.json (docs/data.md). */
export async function loadDataset(pathOrIndexJson: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const { limit, offset = 0 } = validate(OPTIONS, options, 'loadDataset options');
  let indexFile = path.resolve(pathOrIndexJson);
  const stat = await fs.stat(indexFile).catch(() => null);
  if (stat === null) throw new LrpError('LRP_FILE_NOT_FOUND', `data not found: ${pathOrIndexJson}`);
  if (stat.isDirectory()) indexFile = path.join(indexFile, 'index.json');
  const root = path.dirname(indexFile);
  const raw = await readJsonFile(indexFile, 'data index');
  const index = asBadInput(() => validate(INDEX, raw, indexFile));
  if (offset >= index.samples.length) {
    throw new LrpError('LRP_BAD_ARGUMENT', `loadDataset: offset ${offset} is past the last of ${index.samples.length} samples in ${indexFile}`);
  }
  const samples = index.samples.slice(offset, limit === undefined ? undefined : offset + limit);
  const [height, width] = index.preprocessing.size;
  const plane = height * width;
  const n = samples.length;
  const images = new Float32Array(n * 3 * plane);
  const masks = samples[0].mask === undefined ? undefined : new Float32Array(n * plane);
  const table = normalizationTable(index.preprocessing.mean, index.preprocessing.std);
  await mapLimited(n, 8, async (i) => {
    const sample = samples[i];
    const at = `sample ${offset + i} of ${indexFile}`;
    const pixels = await decode(path.resolve(root, sample.image), `image (${at})`, 3, [height, width]);
    const image = images.subarray(i * 3 * plane, (i + 1) * 3 * plane);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) image[c * plane + p] = table[c][pixels[p * 3 + c]];
    }
    if (masks && sample.mask !== undefined) {
      const bytes = await decode(path.resolve(root, sample.mask), `mask (${at})`, 1, [height, width]);
      for (let p = 0; p < plane; p++) masks[i * plane + p] = bytes[p] >= 128 ? 1 : 0;
    }
  });
  const inputs = [new Tensor(images, [n, 3, height, width])];
  if (index.questionLength > 0) {
    const questions = new Float32Array(n * index.questionLength);
    samples.forEach((s, i) => questions.set(s.question as number[], i * index.questionLength));
    inputs.push(new Tensor(questions, [n, index.questionLength]));
  }
  return {
    root,
    name: index.name,
    files: samples.map((s) => s.image),
    inputs,
    targets: Int32Array.from(samples, (s) => s.label),
    ...(masks ? { masks: new Tensor(masks, [n, 1, height, width]) } : {}),
    classes: index.classes,
  };
}
