// A search or evaluate job (docs/queue.md): a few items (configurations or explainer × canonize
// pairs) of a run, scored by a worker on the first `samples` samples exactly as a local run scores
// them (lib/search's scorers), the lines going back as the job's return value. BullMQ keeps one
// return value per job, so a job run again (its worker killed) still gives one line per item.
import { LrpError } from '../errors';
import type { EvaluateLine, ResultLine } from '../search';
import { evaluateScorer, prepareEvaluate } from '../search/evaluate';
import { prepareSearch, searchScorer } from '../search/search';
import type { RunSource, ScoredEntry, Scorer } from '../search/scoring';
import { ModelCache } from './model_cache';

export const SEARCH_JOB = 'search';
export const EVALUATE_JOB = 'evaluate';
export type ScoreJobKind = typeof SEARCH_JOB | typeof EVALUATE_JOB;

export interface ScoreJobData extends RunSource {
  modelHash: string;
  /** Configuration indices (search) or pair positions (evaluate). */
  items: number[];
  samples: number;
}

export interface ScoreJobResult {
  entries: Array<Omit<ScoredEntry<ResultLine | EvaluateLine>, 'attributions'>>;
}

/** How many runs a worker keeps prepared (data read, random draws made) for the jobs that follow. */
const KEPT_RUNS = 2;

/** Runs rebuilt on a worker, by their config, folder and model: the data is read once per run, not per job. */
export class RunCache {
  private readonly runs = new Map<string, Promise<Scorer<ResultLine | EvaluateLine>>>();

  constructor(private readonly models: ModelCache) {}

  async get(kind: ScoreJobKind, data: ScoreJobData): Promise<Scorer<ResultLine | EvaluateLine>> {
    // Checks the model file against the submitted hash on every job.
    await this.models.get(data.modelPath, data.modelHash);
    const key = JSON.stringify([kind, data.config, data.baseDir, data.modelHash, data.memoryBytes ?? null]);
    let run = this.runs.get(key);
    if (run) {
      // Most recently used last.
      this.runs.delete(key);
    } else {
      run = this.prepare(kind, data);
      run.catch(() => this.runs.delete(key));
    }
    this.runs.set(key, run);
    while (this.runs.size > KEPT_RUNS) this.runs.delete(this.runs.keys().next().value as string);
    return run;
  }

  private async prepare(kind: ScoreJobKind, data: ScoreJobData): Promise<Scorer<ResultLine | EvaluateLine>> {
    const load = (file: string) => {
      if (file !== data.modelPath) throw new LrpError('LRP_BAD_INPUT', `the job's config names model ${file}, the job ${data.modelPath}`);
      return this.models.get(file, data.modelHash);
    };
    // The submitter checked the run's size (and may have raised the bound).
    const options = { config: data.config, baseDir: data.baseDir, maxConfigurations: Number.POSITIVE_INFINITY };
    if (kind === SEARCH_JOB) return searchScorer(await prepareSearch(options, load), data.memoryBytes);
    return evaluateScorer(await prepareEvaluate(options, load));
  }
}

/** Runs one job; `progress` receives the number of items finished so far. */
export async function runScoreJob(kind: ScoreJobKind, data: ScoreJobData, runs: RunCache, progress: (done: number) => Promise<void> | void): Promise<ScoreJobResult> {
  const scorer = await runs.get(kind, data);
  const entries: ScoreJobResult['entries'] = [];
  for await (const { item, line, curves } of scorer.score(data.items, data.samples)) {
    entries.push({ item, line, curves });
    await progress(entries.length);
  }
  return { entries };
}
