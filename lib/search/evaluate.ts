// evaluate(): the paper's Table 1 from EC.json (docs/search.md): every explainer under every canonize
// setting, scored by the metrics on the same samples with shared work and draws. Results come as
// each (explainer, setting) completes; with `out`, DIR gets results.jsonl, table.md, table.json and
// report.html.
import * as path from 'path';

import { writeFileAtomic } from '../io/atomic_write';
import { CanonizeSetting, resolveCanonize } from '../explain/canonize';
import { checkDistinctSettings } from './space';
import { LrpError } from '../errors';
import { parseExplainConfig } from '../explain/config_file';
import { readJsonFile } from '../io/json_file';
import { ExplainConfig, loadModel, Model } from '../model';
import type { MetricName } from '../metrics';
import type { Tensor } from '../tensor';
import { checkKeys, DATA_KEYS, loadData, LoadedData, readRunConfig } from './data_config';
import { writeEvaluateReport } from './evaluate_report';
import { Scored, SharedEvaluator } from './evaluator';
import { QueueRunOptions, QueueScorerFactory, Scorer } from './scoring';
import { jsonNumber, ResultsWriter, RUN, RunRecord, writeJson } from './store';
import { buildTable, EvaluateLine, Table, tableMarkdown } from './table';

export interface EvaluateOptions extends QueueRunOptions {
  /** EC.json's path, or the config itself (its relative paths then start at `baseDir`). */
  config: string | Record<string, unknown>;
  baseDir?: string;
  out?: string;
  /** Called before any compute with the number of (explainer, setting) pairs. */
  onPlan?: (plan: { total: number; done: number }) => void;
}

export interface EvaluateResult extends EvaluateLine {
  /** The attribution of every sample under this explainer and setting. */
  attributions: Tensor;
}

/** A result of an evaluate run on a queue: the attributions stay with the workers. */
export type QueuedEvaluateResult = EvaluateLine & { attributions?: undefined };

/** `<explainer>/can<k>`: the key of an explainer under setting k (run.json's `explain`). */
export function pairKey(explainer: string, k: number): string {
  return `${explainer}/can${k}`;
}

async function readExplainers(config: Record<string, unknown>, here: string, where: string): Promise<Record<string, ExplainConfig>> {
  const raw = config.explainers;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${where}: 'explainers' must be a non-empty object {"<name>": <explain config or path>}`);
  }
  const out: Record<string, ExplainConfig> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') {
      const file = path.resolve(here, value);
      out[name] = parseExplainConfig(await readJsonFile(file, `explain config of '${name}'`), file);
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      out[name] = parseExplainConfig(value as Record<string, unknown>, `${where}: explainers.${name}`);
    } else {
      throw new LrpError('LRP_BAD_ARGUMENT', `${where}: explainers.${name} must be an explain config object or a path to one`);
    }
  }
  return out;
}

/** One explainer under one canonize setting (`k`: the setting's index). */
interface Pair {
  item: { explainer: string; canonize: CanonizeSetting; k: number };
  explain: ExplainConfig;
}

export interface PreparedEvaluate {
  data: LoadedData;
  pairs: Pair[];
  record: RunRecord;
  /** The config as read and where its relative paths start (what a worker rebuilds the run from). */
  source: { config: Record<string, unknown>; baseDir: string };
}

/** Reads EC.json, its explainers and the data and checks everything that can be wrong, before any compute. */
export async function prepareEvaluate(options: EvaluateOptions, load: (file: string) => Promise<Model> = loadModel): Promise<PreparedEvaluate> {
  const { config, where, here } = await readRunConfig(options.config, options.baseDir, 'evaluate config');
  checkKeys(config, [...DATA_KEYS, 'explainers', 'canonize'], where);
  const explainers = await readExplainers(config, here, where);
  const settings = config.canonize;
  if (settings !== undefined && (!Array.isArray(settings) || settings.length === 0)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${where}: 'canonize' must be a non-empty list of canonize settings`);
  }
  (settings ?? []).forEach((c: unknown, k: number) => resolveCanonize(c, `${where}: canonize[${k}]`));
  checkDistinctSettings(settings ?? [], `${where}: canonize`);
  const data = await loadData(config, here, where, load, options.onWarning);
  // The list overrides each explainer's own `canonize`; without it each explainer runs as written.
  const pairs = Object.entries(explainers).flatMap(([name, explain]) =>
    ((settings as CanonizeSetting[] | undefined) ?? [explain.canonize ?? false]).map((canonize, k) => ({
      item: { explainer: name, canonize, k }, explain: { ...explain, canonize },
    })));
  const samples = data.inputs[0].shape[0];
  const record: RunRecord = {
    kind: 'evaluate', model: data.files.model, input: data.files.input, ...(data.files.data ? { data: data.files.data } : {}), targets: data.targets, metrics: data.metrics, samples,
    explain: Object.fromEntries(pairs.map((p) => [pairKey(p.item.explainer, p.item.k), p.explain])),
    ...(data.pool ? { pool: data.pool } : {}), seed: data.seed, options: data.options,
  };
  return { data, pairs, record, source: { config, baseDir: here } };
}

function lineOf(scored: Scored<Pair['item']>): EvaluateLine {
  const { explainer, canonize } = scored.item;
  const list = (values: Float64Array) => Array.from(values, jsonNumber);
  return {
    explainer, canonize,
    scores: Object.fromEntries(Object.entries(scored.perSample).map(([m, v]) => [m, list(v as Float64Array)])),
    ...(Object.keys(scored.curves).length > 0
      ? { curves: Object.fromEntries(Object.entries(scored.curves).map(([m, c]) => [m, (c as Float64Array[]).map(list)])) } : {}),
  };
}

/** Scores pairs (by position in the list) here, sharing work between them (lib/search/evaluator.ts). */
export function evaluateScorer(prepared: PreparedEvaluate): Scorer<EvaluateLine> {
  const evaluator = new SharedEvaluator(prepared.data);
  const position = new Map(prepared.pairs.map((p, i) => [p.item, i]));
  return {
    async *score(items, samples) {
      for await (const scored of evaluator.run(items.map((i) => prepared.pairs[i]), samples)) {
        // The line holds the curves (results.jsonl's `curves`).
        yield { item: position.get(scored.item)!, line: lineOf(scored), curves: {}, attributions: scored.attributions };
      }
    },
    close: async () => undefined,
  };
}

/**
 * Scores every explainer under every setting; yields each as it completes and returns the table
 * (with `out`, also written). With `redis`, each explainer × setting is scored by the scorer
 * `queueScorer` opens (the API's evaluate(), lib/index.ts, passes the queue's) and the same lines
 * and files come out, without attributions.
 */
export async function* runEvaluate(options: EvaluateOptions, queueScorer: QueueScorerFactory): AsyncGenerator<EvaluateResult | QueuedEvaluateResult, Table> {
  const prepared = await prepareEvaluate(options);
  const { data, pairs, record } = prepared;
  const samples = record.samples;
  const scorer = options.redis
    ? await queueScorer<EvaluateLine>('evaluate', { ...options, redis: options.redis }, { ...prepared.source, modelPath: data.files.model })
    : evaluateScorer(prepared);
  const lines: EvaluateLine[] = [];
  // Connected to the queue (if any) before the output folder is touched.
  try {
    const writer = options.out ? await ResultsWriter.open(options.out, undefined) : undefined;
    if (options.out) await writeJson(path.join(options.out, RUN), record);
    options.onPlan?.({ total: pairs.length, done: 0 });
    for await (const { line, attributions } of scorer.score(pairs.map((_, i) => i), samples)) {
      lines.push(line);
      await writer?.append(line);
      yield (attributions ? { ...line, attributions } : line) as EvaluateResult | QueuedEvaluateResult;
    }
  } finally {
    await scorer.close();
  }
  const table = buildTable(lines, data.metrics as MetricName[]);
  if (options.out) await writeEvaluateOutputs(options.out, record, lines, data.model, data.inputs);
  return table;
}

/** table.md, table.json and report.html of an evaluate run (also what `report` writes again). */
export async function writeEvaluateOutputs(dir: string, record: RunRecord, lines: readonly EvaluateLine[], model: Model, inputs: Tensor[]): Promise<Table> {
  const table = buildTable(lines, record.metrics);
  await writeFileAtomic(path.join(dir, 'table.md'), tableMarkdown(table));
  await writeJson(path.join(dir, 'table.json'), table);
  await writeEvaluateReport(dir, { record, table, model, inputs });
  return table;
}
