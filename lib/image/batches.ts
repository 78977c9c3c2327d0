// Decoded batches of an image source (docs/folder_explain.md): loose files through the config's
// preprocessing (lib/image/preprocessing.ts), an index.json's samples through loadDataset (its
// preprocessing, labels and questions). An image that cannot be read is reported and left out of
// its batch; only one batch is built at a time, so memory does not grow with the folder.
import * as path from 'path';

import { Dataset, loadDataset } from '../io/dataset';
import { LrpError } from '../errors';
import { ImageSource } from './source';
import { byteLookup, inputSize, Preprocessing, preprocessImage } from './preprocessing';
import { takeRows } from '../util/rows';
import { Tensor } from '../tensor';

export interface DecodedBatch {
  /** Image paths relative to the source root, one per sample. */
  files: string[];
  /** Model inputs, batch first: [images] or, from an index with questions, [images, questions]. */
  inputs: Tensor[];
  /** The index's labels, when the images come from one. */
  labels?: number[];
}

export interface Unreadable {
  file: string;
  reason: string;
}

/** Most images decoded at once (sharp also spreads each decode over its own threads). */
const PARALLEL_DECODES = 4;

async function forEachLimited(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DECODES, count) }, worker));
}

function concat(parts: readonly Tensor[]): Tensor {
  const data = new Float32Array(parts.reduce((n, t) => n + t.size, 0));
  let at = 0;
  for (const part of parts) {
    data.set(part.data, at);
    at += part.size;
  }
  return new Tensor(data, [parts.reduce((n, t) => n + t.shape[0], 0), ...parts[0].shape.slice(1)]);
}

/** Decodes loose image files through the preprocessing; unreadable ones are reported, not thrown. */
export function fileDecoder(source: ImageSource, preprocessing: Preprocessing) {
  const [height, width] = inputSize(preprocessing);
  const lookup = byteLookup(preprocessing);
  const per = 3 * height * width;
  return async (positions: readonly number[]): Promise<{ batch?: DecodedBatch; unreadable: Unreadable[] }> => {
    const data = new Float32Array(positions.length * per);
    const ok = new Array<boolean>(positions.length).fill(false);
    const failures = new Array<Unreadable | undefined>(positions.length);
    await forEachLimited(positions.length, async (k) => {
      const file = source.files[positions[k]];
      try {
        await preprocessImage(path.join(source.root, file), preprocessing, lookup, data.subarray(k * per, (k + 1) * per));
        ok[k] = true;
      } catch (error) {
        failures[k] = { file, reason: (error as Error).message };
      }
    });
    // In listing order, whichever decode finished first.
    const unreadable = failures.filter((f): f is Unreadable => f !== undefined);
    const kept = positions.map((_, k) => k).filter((k) => ok[k]);
    if (kept.length === 0) return { unreadable };
    const images = new Tensor(data, [positions.length, 3, height, width]);
    return {
      batch: { files: kept.map((k) => source.files[positions[k]]), inputs: [kept.length === positions.length ? images : takeRows(images, kept)] },
      unreadable,
    };
  };
}

/** Consecutive runs of sample indices: loadDataset reads a range (offset, limit). */
function runs(positions: readonly number[]): number[][] {
  const out: number[][] = [];
  for (const p of positions) {
    const last = out[out.length - 1];
    if (last && last[last.length - 1] === p - 1) last.push(p);
    else out.push([p]);
  }
  return out;
}

/**
 * Decodes samples of an index.json with loadDataset. A range that fails is retried sample by
 * sample; a sample whose own load fails with an error naming it (loadDataset says "sample i of")
 * is unreadable; any other error is about the index itself and ends the run.
 */
export function indexDecoder(source: ImageSource) {
  const index = source.index as string;
  const load = (offset: number, limit: number) => loadDataset(index, { offset, limit });
  return async (positions: readonly number[]): Promise<{ batch?: DecodedBatch; unreadable: Unreadable[] }> => {
    const parts: Array<{ inputs: Tensor[]; labels: number[]; files: string[] }> = [];
    const unreadable: Unreadable[] = [];
    // Named by the source's paths (normalized below the root), not the index's spelling.
    const add = (data: Dataset, from: number) => parts.push({
      inputs: data.inputs, labels: Array.from(data.targets), files: data.files.map((_, k) => source.files[from + k]),
    });
    const loadOne = async (p: number) => {
      try {
        add(await load(p, 1), p);
      } catch (error) {
        const e = LrpError.from(error);
        if (!e.message.includes(`sample ${p} of`)) throw e;
        unreadable.push({ file: source.files[p], reason: e.message });
      }
    };
    for (const run of runs(positions)) {
      if (run.length === 1) {
        await loadOne(run[0]);
        continue;
      }
      try {
        add(await load(run[0], run.length), run[0]);
      } catch {
        for (const p of run) await loadOne(p);
      }
    }
    if (parts.length === 0) return { unreadable };
    return {
      batch: {
        files: parts.flatMap((p) => p.files),
        inputs: parts[0].inputs.map((_, i) => (parts.length === 1 ? parts[0].inputs[i] : concat(parts.map((p) => p.inputs[i])))),
        labels: parts.flatMap((p) => p.labels),
      },
      unreadable,
    };
  };
}
