// A search's files (docs/search.md): results.jsonl (one line per configuration and sample count,
// appended as each completes; a resumed run skips what is there), run.json (what the run was: the
// report reloads the model and samples from it) and summary.json.
import { promises as fs } from 'fs';
import * as path from 'path';

import { writeFileAtomic } from '../atomic_write';
import type { CanonizeSetting } from '../canonize';
import { LrpError } from '../errors';
import type { ExplainConfig } from '../model';
import type { MetricName } from '../metrics';
import { DIRECTIONS, Direction, paretoRanks } from './pareto';
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

/**
 * The lines of DIR/results.jsonl. A run killed while writing may leave its last line cut short: that
 * line is dropped (its configuration runs again on resume); a bad line elsewhere is an error.
 */
export async function readResults<T = ResultLine>(dir: string): Promise<T[]> {
  const file = path.join(dir, RESULTS);
  if (!(await exists(file))) return [];
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l.trim() !== '')) {
        throw new LrpError('LRP_BAD_INPUT', `${file}:${i + 1}: not a JSON line`);
      }
    }
  });
  return out;
}

/** Appends lines to DIR/results.jsonl; refuses to add to an existing run unless resuming. */
export class ResultsWriter {
  private constructor(private readonly file: string) {}

  static async open(dir: string, resume: boolean): Promise<ResultsWriter> {
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, RESULTS);
    if (!resume && (await exists(file))) {
      throw new LrpError('LRP_BAD_ARGUMENT', `${file} already exists: pass --resume to continue that run, or choose another --out`);
    }
    // A last line cut short by a killed run is dropped (its configuration runs again), so that it
    // neither joins the next line written nor sits between complete ones.
    if (await exists(file)) {
      const text = await fs.readFile(file, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) await fs.truncate(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
    }
    return new ResultsWriter(file);
  }

  async append(line: object): Promise<void> {
    await fs.appendFile(this.file, JSON.stringify(line) + '\n');
  }
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 1) + '\n');
}

export async function readRun(dir: string): Promise<RunRecord> {
  const file = path.join(dir, RUN);
  if (!(await exists(file))) throw new LrpError('LRP_FILE_NOT_FOUND', `${dir} holds no ${RUN}: not an evaluate or search output folder`);
  return JSON.parse(await fs.readFile(file, 'utf8')) as RunRecord;
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
  const directions = Object.fromEntries(metrics.map((m) => [m, DIRECTIONS[m]])) as Summary['directions'];
  const best: Summary['best'] = {};
  const worst: Summary['worst'] = {};
  for (const m of metrics) {
    const defined = full.filter((l) => l.scores[m] !== null && l.scores[m] !== undefined);
    if (defined.length === 0) continue;
    const sign = DIRECTIONS[m] === 'max' ? 1 : -1;
    const sorted = [...defined].sort((a, b) => sign * ((b.scores[m] as number) - (a.scores[m] as number)));
    best[m] = sorted[0].id;
    worst[m] = sorted[sorted.length - 1].id;
  }
  const ranks = paretoRanks(full.map((l) => metrics.map((m) => l.scores[m] ?? null)), metrics.map((m) => DIRECTIONS[m]));
  return { directions, best, worst, pareto: full.filter((_, i) => ranks[i] === 0).map((l) => l.id), evaluated: full.length };
}
