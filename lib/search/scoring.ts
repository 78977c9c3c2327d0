// Scoring items (a search's configurations, an evaluate's explainer × canonize pairs) on the first
// `samples` samples, here or as jobs on a queue (docs/queue.md): either way the same lines come
// out, in the order the items were given, so a run writes the same files wherever it scored.
import type { MetricName } from '../metrics';
import type { Tensor } from '../tensor';
import { jsonNumber } from './store';

/** Curves of the perturbation metrics, per sample, NaN as null. */
export type JsonCurves = Partial<Record<MetricName, Array<Array<number | null>>>>;

export interface ScoredEntry<L> {
  /** The item: a configuration's index in id order, or a pair's position in the evaluate list. */
  item: number;
  /** The results.jsonl line. */
  line: L;
  curves: JsonCurves;
  /** The item's attribution of the samples (absent when scored on a queue). */
  attributions?: Tensor;
}

export interface Scorer<L> {
  /** Scores `items` on the first `samples` samples; yields them in the order given. */
  score(items: readonly number[], samples: number): AsyncGenerator<ScoredEntry<L>>;
  close(): Promise<void>;
}

/** A run submitted as jobs to `lrp-node worker` processes instead of running here (docs/queue.md). */
export interface QueueRunOptions {
  /** redis://HOST:PORT of the queue; without it the run computes here. */
  redis?: string;
  /** The queue's name (default lrp-node). */
  queue?: string;
  /** Items per job (search: configurations, default 4; evaluate: explainer × canonize pairs, default 1). */
  jobSize?: number;
  /** Seconds to wait for Redis at the start (default 10). */
  connectTimeout?: number;
  /** Seconds to wait for a Redis that stopped answering mid-run before failing (default 30). */
  redisTimeout?: number;
  /** Told what stops nothing: a cut last line of results.jsonl dropped, the connection to Redis lost (the run waits up to `redisTimeout`). */
  onWarning?: (message: string) => void;
}

/** What a worker needs to rebuild a run: the config, where its relative paths start, and its model. */
export interface RunSource {
  config: Record<string, unknown>;
  baseDir: string;
  modelPath: string;
  memoryBytes?: number;
}

export function curvesJson(curves: Partial<Record<MetricName, Float64Array[]>>): JsonCurves {
  return Object.fromEntries(Object.entries(curves).map(([m, list]) => [m, (list as Float64Array[]).map((c) => Array.from(c, jsonNumber))]));
}

/**
 * Opens the scorer that submits items as jobs to a queue (lib/queue/scorer.ts). search/ never
 * imports queue/ (whose workers run search/'s scorers): whoever starts a run passes it in.
 */
export type QueueScorerFactory = <L>(kind: 'search' | 'evaluate', run: QueueRunOptions & { redis: string }, source: RunSource) => Promise<Scorer<L>>;
