// search(): the hyperparameter search of SC.json (docs/search.md). Results come as configurations
// complete (an async iterator) and, with `out`, go to DIR/results.jsonl, summary.json and report.html.
import * as path from 'path';

import { LrpError } from '../errors';
import type { MetricName } from '../metrics';
import { loadModel, Model } from '../model';
import type { Tensor } from '../tensor';
import { checkKeys, DATA_KEYS, knownLayerNames, loadData, LoadedData, readRunConfig } from './data_config';
import { Scored, SharedEvaluator } from './evaluator';
import { METRICS } from '../metrics/registry';
import { writeReport } from './report';
import { checkGroupLayers, Configuration, configurationAt, parseSpace, spaceSize, SpaceSpec } from './space';
import { curvesJson, JsonCurves, QueueRunOptions, QueueScorerFactory, Scorer } from './scoring';
import { checkSearchLines } from './result_checks';
import { checkSameRun, jsonNumber, mergeResults, readResultLines, readResults, ResultLine, ResultsWriter, RUN, RunRecord, summarize, Summary, SUMMARY, Warn, writeJson } from './store';
import { makeStrategy, parseStrategy, Round, Strategy, StrategySpec } from './strategies';

export interface SearchOptions extends QueueRunOptions {
  /** SC.json's path, or the config itself (its relative paths then start at `baseDir`, default the working folder). */
  config: string | Record<string, unknown>;
  baseDir?: string;
  /** Output folder: results.jsonl, run.json, summary.json, report.html (+ PNG figures). */
  out?: string;
  /** Skip every (id, sample count) already in DIR/results.jsonl. */
  resume?: boolean;
  /** Evaluate only the configurations whose index in id order is ≡ index (mod count). */
  shard?: { index: number; count: number };
  /** Called before any compute: evaluations planned (configurations × rounds) and how many `out` already holds. */
  onPlan?: (plan: { total: number; done: number }) => void;
  /** Bytes of attributions held at once (default 1 GiB). */
  memoryBytes?: number;
  /** The most configurations a run evaluates (default MAX_CONFIGURATIONS); a larger space is refused before any work. */
  maxConfigurations?: number;
}

/** The default bound on the configurations one run evaluates (docs/search.md): the paper's grid is 4802. */
export const MAX_CONFIGURATIONS = 100000;

/** Configurations the run evaluates in its first (or only) round, refused above the bound. */
function checkRunSize(space: SpaceSpec, strategy: StrategySpec, options: SearchOptions, where: string): void {
  const size = spaceSize(space);
  const shard = options.shard?.count ?? 1;
  const planned = strategy.kind === 'random' ? Math.min(strategy.samples!, size) : Math.ceil(size / shard);
  const limit = options.maxConfigurations ?? MAX_CONFIGURATIONS;
  if (planned > limit) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${where}: the search would evaluate ${planned} configurations (the space holds ${size}), more than ${limit}: ` +
      `narrow the space, draw some with strategy random, split it with --shard, or raise the bound with --max-configurations ${planned}`);
  }
}

export interface SearchResult extends ResultLine {
  /** Position in id order. */
  index: number;
  /** Halving's round (0 for grid and random). */
  round: number;
  /** Curves of the perturbation metrics, per sample. */
  curves: JsonCurves;
  /** The configuration's attribution of the samples it was evaluated on. */
  attributions: Tensor;
}

/** A result of a search run on a queue: the attributions stay with the workers. */
export type QueuedSearchResult = Omit<SearchResult, 'attributions'> & { attributions?: undefined };

const SEARCH_KEYS = [...DATA_KEYS, 'base', 'groups', 'space', 'strategy'];

function mean(values: Float64Array): number | null {
  const defined = Array.from(values).filter((v) => !Number.isNaN(v));
  return defined.length === 0 ? null : jsonNumber(defined.reduce((a, b) => a + b, 0) / defined.length);
}

export interface PreparedSearch {
  space: SpaceSpec;
  strategy: Strategy;
  data: LoadedData;
  record: RunRecord;
  /** The config as read and where its relative paths start (what a worker rebuilds the run from). */
  source: { config: Record<string, unknown>; baseDir: string };
}

/** Reads SC.json and the data and checks everything that can be wrong, before any compute. */
export async function prepareSearch(options: SearchOptions, load: (file: string) => Promise<Model> = loadModel): Promise<PreparedSearch> {
  const { config, where, here } = await readRunConfig(options.config, options.baseDir, 'search config');
  checkKeys(config, SEARCH_KEYS, where);
  const space = parseSpace(config, where);
  const strategySpec = parseStrategy(config.strategy, where);
  if (options.shard) {
    const { index, count } = options.shard;
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
      throw new LrpError('LRP_BAD_ARGUMENT', `shard ${index}/${count}: needs 0 ≤ I < N`);
    }
  }
  checkRunSize(space, strategySpec, options, where);
  const data = await loadData(config, here, where, load, options.onWarning);
  checkGroupLayers(space, knownLayerNames(data.model), where);
  const samples = data.inputs[0].shape[0];
  const strategy = makeStrategy(strategySpec, {
    size: spaceSize(space), samples, seed: data.seed, directions: data.metrics.map((m) => METRICS[m].direction), shard: options.shard,
  });
  const record: RunRecord = {
    kind: 'search', model: data.files.model, input: data.files.input, ...(data.files.data ? { data: data.files.data } : {}), targets: data.targets, metrics: data.metrics, samples, space,
    ...(data.pool ? { pool: data.pool } : {}), seed: data.seed, options: data.options,
  };
  return { space, strategy, data, record, source: { config, baseDir: here } };
}

function lineOf(config: Configuration, samples: number, perSample: Scored<Configuration>['perSample']): ResultLine {
  const scores: ResultLine['scores'] = {};
  const per: ResultLine['perSample'] = {};
  for (const [m, values] of Object.entries(perSample) as Array<[MetricName, Float64Array]>) {
    scores[m] = mean(values);
    per[m] = Array.from(values, jsonNumber);
  }
  return { id: config.id, canonize: config.canonize, values: config.values, samples, scores, perSample: per };
}

/** Configurations whose explain configs are built at once (a multiple of the evaluator's chunk of 32). */
const SLICE = 1024;

/** Scores configurations (by index in id order) here, sharing work between them (lib/search/evaluator.ts). */
export function searchScorer(prepared: PreparedSearch, memoryBytes?: number): Scorer<ResultLine> {
  const evaluator = new SharedEvaluator({ ...prepared.data, memoryBytes });
  return {
    async *score(items, samples) {
      // A slice of the items at a time: a configuration's explain config is built when it is scored.
      for (let begin = 0; begin < items.length; begin += SLICE) {
        const todo = items.slice(begin, begin + SLICE).map((i) => configurationAt(prepared.space, i)).map((c) => ({ item: c, explain: c.explain }));
        for await (const scored of evaluator.run(todo, samples)) {
          yield { item: scored.item.index, line: lineOf(scored.item, samples, scored.perSample), curves: curvesJson(scored.curves), attributions: scored.attributions };
        }
      }
    },
    close: async () => undefined,
  };
}

/** The lines of DIR/results.jsonl a resumed run keeps: of the same run (run.json), each a configuration of its space. */
async function heldResults(dir: string, record: RunRecord, warn?: Warn): Promise<ResultLine[]> {
  await checkSameRun(dir, record, '--resume');
  return checkSearchLines(await readResultLines(dir, warn), record);
}

/**
 * Runs the search; yields each configuration as it completes. Returns the summary (with `out`, also
 * written). With `redis`, the configurations are scored by the scorer `queueScorer` opens (the API's
 * search(), lib/index.ts, passes the queue's) and the same lines and files come out, without attributions.
 */
export async function* runSearch(options: SearchOptions, queueScorer: QueueScorerFactory): AsyncGenerator<SearchResult | QueuedSearchResult, Summary> {
  const prepared = await prepareSearch(options);
  const { space, strategy, data, record } = prepared;
  // What an earlier run left is checked before any compute: a damaged file or another run's lines stop here.
  const held = options.out && options.resume ? await heldResults(options.out, record, options.onWarning) : [];
  const scorer = options.redis
    ? await queueScorer<ResultLine>('search', { ...options, redis: options.redis }, { ...prepared.source, modelPath: data.files.model, memoryBytes: options.memoryBytes })
    : searchScorer(prepared, options.memoryBytes);
  const metrics = data.metrics;
  const completed: ResultLine[] = [];
  // Connected to the queue (if any) before the output folder is touched.
  try {
    const writer = options.out ? await ResultsWriter.open(options.out, Boolean(options.resume)) : undefined;
    const key = (id: string, samples: number) => `${id}@${samples}`;
    const done = new Map(held.map((l) => [key(l.id, l.samples), l]));
    if (options.out) await writeJson(path.join(options.out, RUN), record);
    const total = strategy.schedule.reduce((n, r) => n + r.configs, 0);
    // Held from an earlier run: round 0's lines (a later halving round's are found when it comes).
    const first = strategy.first();
    const idOf = (i: number) => configurationAt(space, i).id;
    options.onPlan?.({ total, done: first.configs.filter((i) => done.has(key(idOf(i), first.samples))).length });
    for (let round: Round | null = first; round; ) {
      // Ids only: a configuration's explain config is built when it is scored (searchScorer).
      const configs = round.configs.map((i) => ({ index: i, id: idOf(i) }));
      const lines = new Map<string, ResultLine>();
      for (const c of configs) {
        const stored = done.get(key(c.id, round.samples));
        if (stored) lines.set(c.id, stored);
      }
      const todo = configs.filter((c) => !lines.has(c.id)).map((c) => c.index);
      for await (const { item, line, curves, attributions } of scorer.score(todo, round.samples)) {
        lines.set(line.id, line);
        await writer?.append(line);
        yield { ...line, index: item, round: round.index, curves, ...(attributions ? { attributions } : {}) } as SearchResult | QueuedSearchResult;
      }
      const ordered = configs.map((c) => lines.get(c.id)!);
      completed.push(...ordered);
      round = strategy.next(round, ordered.map((l) => metrics.map((m) => l.scores[m] ?? null)));
    }
  } finally {
    await scorer.close();
  }
  const all = options.out ? mergeResults([await readResults(options.out)]) : mergeResults([completed]);
  const summary = summarize(all, metrics, record.samples);
  if (options.out) {
    await writeJson(path.join(options.out, SUMMARY), summary);
    await writeReport(options.out, { record, lines: all, summary, model: data.model, inputs: data.inputs });
  }
  return summary;
}
