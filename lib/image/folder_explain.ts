// Image folders in, relevance out (docs/folder_explain.md): an async iterator of per-image results
// that a service can consume, and that `lrp-node explain --data` writes to disk. Batches stream:
// the next batch is decoded while the native explain of the current one runs, and at most these
// two batches are held, whatever the folder's size.
import { promises as fs } from 'fs';
import * as path from 'path';

import { LrpError } from '../errors';
import { HeatmapOptions, writeHeatmapPng } from './heatmap';
import { DecodedBatch, fileDecoder, indexDecoder, Unreadable } from './batches';
import { below, ImageSource, openImageSource } from './source';
import type { ExplainConfig, Model } from '../model';
import { writeNpy } from '../io/npy';
import { PREPROCESSING } from '../explain/schema';
import { integer, validate } from '../options/schema';
import { Preprocessing } from './preprocessing';
import { takeRows } from '../util/rows';
import { Tensor } from '../tensor';

export interface ExplainFolderOptions {
  /** A folder (with or without index.json), an index.json, or a glob of image files. */
  data: string;
  model: Model;
  config: ExplainConfig;
  /** How loose image files become inputs; an index.json gives its own (and then this must be absent). */
  preprocessing?: Preprocessing;
  /** The class to explain for every image; default: the index's labels (required for loose files). */
  target?: number | 'argmax';
  /** Images per native explain call (default 16). */
  batch?: number;
  /** Write <outDir>/<image path, extension replaced>.npy (and .png with `png`); absent: write nothing. */
  outDir?: string;
  /** Also write a heatmap PNG per image (lib/image/heatmap.ts); `overlay: true` blends the input image. */
  png?: boolean | (Omit<HeatmapOptions, 'overlay'> & { overlay?: boolean });
  /** Leave out images whose outputs all exist already. */
  resume?: boolean;
  /** Only the images at positions [start, end) of the sorted listing (a queue job's share). */
  range?: [number, number];
}

/** Per image, in order: explained, left as it was (resume), skipped (unreadable) or failed. */
export type FolderResult =
  | { status: 'done'; file: string; relevance: Tensor; output: Tensor; written: string[] }
  | { status: 'resumed'; file: string }
  | { status: 'skipped'; file: string; reason: string }
  | { status: 'failed'; file: string; reason: string };

export interface FolderSummary {
  done: number;
  skipped: Array<{ file: string; reason: string }>;
  failed: number;
  /** Images whose outputs existed (--resume); not explained again. */
  resumed: number;
}

/** Counts results into the summary that `explain --data` writes as summary.json. */
export function summarize(results: Iterable<FolderResult>, into: FolderSummary = { done: 0, skipped: [], failed: 0, resumed: 0 }): FolderSummary {
  for (const result of results) {
    if (result.status === 'skipped') into.skipped.push({ file: result.file, reason: result.reason });
    else into[result.status]++;
  }
  return into;
}

const DEFAULT_BATCH = 16;

export interface Plan {
  source: ImageSource;
  decode: (positions: readonly number[]) => Promise<{ batch?: DecodedBatch; unreadable: Unreadable[] }>;
  outDir?: string;
  extensions: string[];
  /** Output folders made and checked so far (each once, however many images it holds). */
  folders: Map<string, Promise<void>>;
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(() => true, () => false);
}

/** Resolves the data and the output folder, and checks everything that can be checked up front. */
export async function planFolder(options: Omit<ExplainFolderOptions, 'model' | 'config'>): Promise<Plan> {
  validate(integer({ min: 1 }), options.batch ?? DEFAULT_BATCH, 'batch');
  if (options.preprocessing) validate(PREPROCESSING, options.preprocessing, 'preprocessing');
  const outDir = options.outDir === undefined ? undefined : await fs.realpath(options.outDir).catch(() => path.resolve(options.outDir as string));
  const source = await openImageSource(options.data, outDir);
  if (outDir && outDir === (await fs.realpath(source.root))) {
    throw new LrpError('LRP_OUTPUT_CONFLICT', `--out-dir ${options.outDir} is the data folder: outputs would sit among (and, with --png, replace) the images`);
  }
  if (source.index && options.preprocessing) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${source.index} gives the preprocessing of its images; the config's preprocessing applies to loose image files only (remove one)`);
  }
  if (!source.index && !options.preprocessing) {
    throw new LrpError('LRP_BAD_ARGUMENT', `--data ${options.data} has no index.json: the config must give 'preprocessing' (size, mean, std)`);
  }
  if (!source.index && options.target === undefined) {
    throw new LrpError('LRP_BAD_ARGUMENT', `--data ${options.data} has no labels (no index.json): give a target (a class index or argmax)`);
  }
  if (outDir) {
    await fs.mkdir(outDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new LrpError('LRP_BAD_OUTPUT', `--out-dir ${options.outDir}: cannot create the folder (${error.code})`);
    });
  }
  const realOut = outDir ? await fs.realpath(outDir) : undefined;
  const decode = source.index ? indexDecoder(source) : fileDecoder(source, options.preprocessing as Preprocessing);
  return { source, decode, outDir: realOut, extensions: options.png ? ['.npy', '.png'] : ['.npy'], folders: new Map() };
}

/** The output path of an image without extension, below the output folder. */
function outputBase(outDir: string, file: string): string {
  const parsed = path.posix.parse(file);
  return path.join(outDir, ...path.posix.join(parsed.dir, parsed.name).split('/'));
}

/** Why an image is left out before decoding (outside the root, or its outputs claimed by an earlier one). */
function leftOut(plan: Plan, claimed: Map<string, string>, file: string): string | undefined {
  const relative = below(plan.source.root, path.resolve(plan.source.root, file));
  if (relative === undefined) return `${file} is outside the data folder ${plan.source.root}`;
  if (!plan.outDir) return undefined;
  const base = outputBase(plan.outDir, relative);
  const owner = claimed.get(base);
  if (owner !== undefined) return `${file} would write the same outputs as ${owner} (${base}.npy)`;
  claimed.set(base, file);
  return undefined;
}

/**
 * Batches of the listing: batch k holds positions [k·batch, (k+1)·batch), less the images left out
 * before decoding (outside the data root, sharing an output with an earlier image, or already
 * written with resume). Batches are fixed by position, so a queue job of one batch explains the
 * same images together as a local run.
 */
async function* positionsToExplain(plan: Plan, batch: number, resume: boolean, range?: [number, number]): AsyncGenerator<{ notes: FolderResult[]; positions: number[] }> {
  const { source, outDir } = plan;
  const claimed = new Map<string, string>();
  let positions: number[] = [];
  let notes: FolderResult[] = [];
  const last = Math.min(range?.[1] ?? source.files.length, source.files.length) - 1;
  for (let i = 0; i <= last; i++) {
    const file = source.files[i];
    // Every earlier image claims its outputs, also outside this range, as in a whole run.
    const reason = leftOut(plan, claimed, file);
    if (range && i < range[0]) continue;
    if (reason !== undefined) {
      notes.push({ status: 'skipped', file, reason });
    } else if (outDir && resume && (await Promise.all(plan.extensions.map((e) => exists(outputBase(outDir, source.files[i]) + e)))).every(Boolean)) {
      notes.push({ status: 'resumed', file });
    } else {
      positions.push(i);
    }
    if ((i + 1) % batch === 0 || i === last) {
      yield { notes, positions };
      positions = [];
      notes = [];
    }
  }
}

/** Decoded batches, each with the results of the images left out before it. */
async function* decodedBatches(plan: Plan, batch: number, resume: boolean, range?: [number, number]): AsyncGenerator<{ notes: FolderResult[]; batch?: DecodedBatch }> {
  for await (const { notes, positions } of positionsToExplain(plan, batch, resume, range)) {
    if (positions.length === 0) {
      yield { notes };
      continue;
    }
    const { batch: decoded, unreadable } = await plan.decode(positions);
    yield { notes: [...notes, ...unreadable.map((u): FolderResult => ({ status: 'skipped', ...u }))], batch: decoded };
  }
}

/** Writes one image's outputs, never through a link and never outside the output folder. */
async function writeOutputs(plan: Plan, file: string, relevance: Tensor, image: Tensor, options: ExplainFolderOptions): Promise<string[]> {
  const outDir = plan.outDir as string;
  const base = outputBase(outDir, file);
  const folder = path.dirname(base);
  let ready = plan.folders.get(folder);
  if (!ready) {
    ready = (async () => {
      await fs.mkdir(folder, { recursive: true });
      if (below(outDir, path.join(await fs.realpath(folder), 'x')) === undefined) {
        throw new LrpError('LRP_BAD_OUTPUT', `${folder} leads outside --out-dir ${outDir} through a link: not written`);
      }
    })();
    plan.folders.set(folder, ready);
  }
  await ready;
  const written = [`${base}.npy`];
  if (options.png) written.push(`${base}.png`);
  for (const target of written) {
    const stat = await fs.lstat(target).catch(() => undefined);
    if (stat?.isSymbolicLink()) throw new LrpError('LRP_BAD_OUTPUT', `${target} is a link: not written through it`);
  }
  await writeNpy(written[0], relevance);
  if (options.png) {
    const { overlay, ...heatmap } = options.png === true ? { overlay: false } : options.png;
    await writeHeatmapPng(written[1], relevance, { ...heatmap, ...(overlay ? { overlay: image } : {}) });
  }
  return written;
}

/** Explains one decoded batch; a non-finite result fails the batch's images, other errors end the run. */
async function explainBatch(decoded: DecodedBatch, options: ExplainFolderOptions): Promise<{ relevance: Tensor; output: Tensor } | FolderResult[]> {
  try {
    return await options.model.explain(decoded.inputs, { ...options.config, target: options.target ?? (decoded.labels as number[]) });
  } catch (error) {
    const e = LrpError.from(error);
    if (e.code !== 'LRP_NOT_FINITE') throw e;
    return decoded.files.map((file): FolderResult => ({ status: 'failed', file, reason: e.message }));
  }
}

/** Splits a batch's explanation per image and writes each image's outputs (all at once). */
async function finishBatch(decoded: DecodedBatch, explained: { relevance: Tensor; output: Tensor }, plan: Plan, options: ExplainFolderOptions): Promise<FolderResult[]> {
  return Promise.all(decoded.files.map(async (file, i): Promise<FolderResult> => {
    const relevance = takeRows(explained.relevance, [i]);
    const output = takeRows(explained.output, [i]);
    if (!plan.outDir) return { status: 'done', file, relevance, output, written: [] };
    try {
      const written = await writeOutputs(plan, file, relevance, takeRows(decoded.inputs[0], [i]), options);
      return { status: 'done', file, relevance, output, written };
    } catch (error) {
      return { status: 'failed', file, reason: (error as Error).message };
    }
  }));
}

/**
 * Explains every image of `options.data`, one result per image, in order, streaming: while a
 * batch is explained, the next one is decoded and the previous one's outputs are written; at most
 * three batches are held.
 */
export async function* explainFolder(options: ExplainFolderOptions, plan?: Plan): AsyncGenerator<FolderResult> {
  const resolved = plan ?? await planFolder(options);
  const batches = decodedBatches(resolved, options.batch ?? DEFAULT_BATCH, Boolean(options.resume), options.range);
  // Settled later; a rejection must not count as unhandled meanwhile.
  const later = <T>(promise: Promise<T>): Promise<T> => {
    promise.catch(() => undefined);
    return promise;
  };
  let writing: Promise<FolderResult[]> = Promise.resolve([]);
  try {
    let next = batches.next();
    for (;;) {
      const step = await next;
      if (step.done) break;
      next = later(batches.next());
      const { notes, batch } = step.value;
      const explained = batch ? await explainBatch(batch, options) : [];
      yield* await writing;
      yield* notes;
      writing = batch && !Array.isArray(explained) ? later(finishBatch(batch, explained, resolved, options)) : Promise.resolve(explained as FolderResult[]);
    }
    yield* await writing;
  } finally {
    await writing.catch(() => undefined);
    await batches.return(undefined).catch(() => undefined);
  }
}
