// A search's files (docs/search.md): results.jsonl (one line per configuration and sample count,
// appended as each completes; a resumed run skips what is there), run.json (what the run was: the
// report reloads the model and samples from it) and summary.json.
import { promises as fs } from 'fs';
import * as path from 'path';

import { removeStaleTemporaryFiles, writeFileAtomic } from '../io/atomic_write';
import type { CanonizeSetting } from '../explain/canonize';
import { LrpError } from '../errors';
import { makeFolder, readText, rethrowFileError } from '../io/file_errors';
import type { ExplainConfig } from '../model';
import type { MetricName } from '../metrics';
import { METRICS } from '../metrics/registry';
import { Direction, paretoRanks } from './pareto';
import type { DataSource } from './data_config';
import type { SpaceSpec } from './space';

export interface ResultLine {
  id: string;
  canonize: CanonizeSetting;
  values: Record<string, number>;
  samples: number;
  scores: Partial<Record<MetricName, number | null>>;
  perSample: Partial<Record<MetricName, Array<number | null>>>;
}

/** What a run was, enough to merge shards and to draw the report. */
export interface RunRecord {
  kind: 'search' | 'evaluate';
  model: string;
  /** The .npy inputs, or (empty with `data`) the data folder the samples came from. */
  input: string[];
  data?: DataSource;
  targets: number[];
  metrics: MetricName[];
  samples: number;
  /** search: the space (configurations and ids). */
  space?: SpaceSpec;
  /** evaluate: the explain config of each explainer × canonize setting, by `<explainer>/can<k>`. */
  explain?: Record<string, ExplainConfig>;
  pool?: string;
  /** The seed and metric options: with the rest, what the scores depend on. */
  seed: number;
  options: Record<string, unknown>;
}

export interface Summary {
  directions: Partial<Record<MetricName, Direction>>;
  best: Partial<Record<MetricName, string>>;
  worst: Partial<Record<MetricName, string>>;
  pareto: string[];
  evaluated: number;
}

export const RESULTS = 'results.jsonl';
export const RUN = 'run.json';
export const SUMMARY = 'summary.json';

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(() => true, () => false);
}

/** NaN and ±Infinity as null, as results.jsonl writes them. */
export function jsonNumber(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** A line of results.jsonl as parsed, and where it is (`file:line`, for errors). */
export interface HeldLine {
  value: unknown;
  at: string;
}

/** Called with a message for what the user should know but that stops nothing (a dropped line). */
export type Warn = (message: string) => void;

/**
 * Reads DIR/results.jsonl, checking every line is a JSON object. A run killed while writing may
 * leave its last line cut short (or unreadable): that line is dropped with a warning and
 * `readable` is the byte length of the lines before it. A bad line elsewhere is an error.
 */
async function scanResults(dir: string, warn?: Warn): Promise<{ lines: HeldLine[]; readable: number; size: number }> {
  const file = path.join(dir, RESULTS);
  if (!(await exists(file))) return { lines: [], readable: 0, size: 0 };
  const text = await readText(file);
  const rows = text.split('\n');
  const lastFilled = rows.reduce((last, row, i) => (row.trim() === '' ? last : i), -1);
  const lines: HeldLine[] = [];
  let readable = 0;
  let offset = 0;
  for (const [i, row] of rows.entries()) {
    const end = offset + Buffer.byteLength(row) + (i < rows.length - 1 ? 1 : 0);
    if (row.trim() !== '') {
      let value: unknown;
      try {
        value = JSON.parse(row);
      } catch {
        if (i === lastFilled) {
          warn?.(`${file}:${i + 1}: last line cut short or unreadable: dropped (its configuration is computed again)`);
          break;
        }
        throw new LrpError('LRP_BAD_INPUT', `${file}:${i + 1}: not a JSON line (a damaged results file: remove the line or choose another --out)`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new LrpError('LRP_BAD_INPUT', `${file}:${i + 1}: not a results line (a JSON object)`);
      }
      lines.push({ value, at: `${file}:${i + 1}` });
    }
    offset = end;
    readable = end;
  }
  return { lines, readable, size: Buffer.byteLength(text) };
}

/** The lines of DIR/results.jsonl, each with where it is (see scanResults). */
export async function readResultLines(dir: string, warn?: Warn): Promise<HeldLine[]> {
  return (await scanResults(dir, warn)).lines;
}

/** The lines of DIR/results.jsonl as written (a cut last line dropped). */
export async function readResults<T = ResultLine>(dir: string, warn?: Warn): Promise<T[]> {
  return (await readResultLines(dir, warn)).map((l) => l.value as T);
}

/** Appends lines to DIR/results.jsonl; refuses to add to an existing run unless resuming. */
export class ResultsWriter {
  private constructor(private readonly file: string) {}

  /** `resume`: false, or the flag that would continue the run (undefined: the run cannot be resumed). */
  static async open(dir: string, resume: boolean | undefined): Promise<ResultsWriter> {
    await makeFolder(dir);
    const file = path.join(dir, RESULTS);
    if (!resume && (await exists(file))) {
      throw new LrpError('LRP_BAD_ARGUMENT', resume === false
        ? `${file} already exists: pass --resume to continue that run, or choose another --out`
        : `${file} already exists: choose another --out`);
    }
    await removeStaleTemporaryFiles(dir);
    // A last line cut short or unreadable (a killed run) is dropped, so that it neither joins the
    // next line written nor sits between complete ones.
    const { readable, size } = await scanResults(dir);
    if (readable < size) await fs.truncate(file, readable).catch((e) => rethrowFileError(e, file, 'write'));
    return new ResultsWriter(file);
  }

  async append(line: object): Promise<void> {
    await fs.appendFile(this.file, JSON.stringify(line) + '\n').catch((e) => rethrowFileError(e, this.file, 'write'));
  }
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 1) + '\n');
}

export async function readRun(dir: string): Promise<RunRecord> {
  const file = path.join(dir, RUN);
  if (!(await exists(file))) throw new LrpError('LRP_FILE_NOT_FOUND', `${dir} holds no ${RUN}: not an evaluate or search output folder`);
  try {
    return JSON.parse(await readText(file)) as RunRecord;
  } catch (error) {
    if (error instanceof LrpError) throw error;
    throw new LrpError('LRP_BAD_INPUT', `${file}: not a JSON file (a damaged run record)`);
  }
}

/**
 * The run.json beside a results.jsonl is what identifies the run its lines belong to (the lines
 * themselves hold only what CONTRACT.md fixes). Continuing or merging lines whose run.json is
 * missing could mix two runs, so it is refused; so is a run.json of another run.
 */
export async function checkSameRun(dir: string, record: RunRecord, flag: string): Promise<void> {
  const held = await readRun(dir).catch((error: LrpError) => {
    if (error.code !== 'LRP_FILE_NOT_FOUND') throw error;
    return undefined;
  });
  if (!held) {
    if ((await readResultLines(dir)).length > 0) {
      throw new LrpError('LRP_BAD_ARGUMENT', `${flag}: ${path.join(dir, RESULTS)} has no ${RUN} beside it, so nothing tells which run wrote its lines: restore ${RUN} or choose another --out`);
    }
    return;
  }
  if (runIdentity(held) !== runIdentity(record)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${flag}: ${path.join(dir, RUN)} records another ${held.kind ?? 'run'} (model, samples, metrics or space differ); choose another --out`);
  }
}

/** The parts of run.json that must agree for lines to be continued or merged (all but evaluate's per-run explain list). */
export function runIdentity(record: RunRecord): string {
  const { explain: _explain, ...rest } = record;
  return JSON.stringify(rest);
}

/** One line per id: the one on the most samples (shards and resumed runs never disagree on the same id and count). */
export function mergeResults(lists: ReadonlyArray<readonly ResultLine[]>): ResultLine[] {
  const byId = new Map<string, ResultLine>();
  for (const list of lists) {
    for (const line of list) {
      const held = byId.get(line.id);
      if (!held || held.samples < line.samples) byId.set(line.id, line);
    }
  }
  return [...byId.values()];
}

/** Best, worst and the Pareto front over the configurations evaluated on all `samples`. */
export function summarize(lines: readonly ResultLine[], metrics: readonly MetricName[], samples: number): Summary {
  // In id string order, so that shards merged in any order summarize alike.
  const full = lines.filter((l) => l.samples === samples).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const directions = Object.fromEntries(metrics.map((m) => [m, METRICS[m].direction])) as Summary['directions'];
  const best: Summary['best'] = {};
  const worst: Summary['worst'] = {};
  for (const m of metrics) {
    const defined = full.filter((l) => l.scores[m] !== null && l.scores[m] !== undefined);
    if (defined.length === 0) continue;
    const sign = METRICS[m].direction === 'max' ? 1 : -1;
    const sorted = [...defined].sort((a, b) => sign * ((b.scores[m] as number) - (a.scores[m] as number)));
    best[m] = sorted[0].id;
    worst[m] = sorted[sorted.length - 1].id;
  }
  const ranks = paretoRanks(full.map((l) => metrics.map((m) => l.scores[m] ?? null)), metrics.map((m) => METRICS[m].direction));
  return { directions, best, worst, pareto: full.filter((_, i) => ranks[i] === 0).map((l) => l.id), evaluated: full.length };
}
