// Scores many explain configurations on the same samples, sharing work between them (docs/search.md):
// - explanations: one explainMany per batch of samples and chunk of configurations (one forward
//   per canonize setting, then a tree of propagations); each configuration's attribution is
//   computed once and handed to every metric;
// - sensitivity metrics: the noisy copies are drawn once (common random numbers) and explained for
//   all configurations of a chunk together; random logit: the other classes are drawn once and
//   explained the same way;
// - the perturbation metrics run per configuration on its attribution (their forwards depend on it),
//   two configurations at a time, so one's JavaScript (perturbing inputs, reductions) runs while the
//   other's forwards run on the native thread.
// Per-sample scores equal lib/metrics evaluate() for the configuration's explain config.
import type { ExplainConfig, Model } from '../model';
import { evaluate, Evaluation, MetricName } from '../metrics';
import { rowBatches } from '../metrics/explained';
import { defaultBatchSize } from '../metrics/model_eval';
import { checkTargets } from '../metrics/targets';
import { randomLogitClasses, randomLogitScores } from '../metrics/random_logit';
import { reduceSensitivity, sensitivityNoise, sensitivityRatios, sensitivitySeed } from '../metrics/robustness';
import type { ChannelPooling } from '../image/pooling';
import { Tensor } from '../tensor';
import { NativePhase, SearchProfiler } from './profile';

export interface EvaluationData {
  model: Model;
  /** The model's inputs, the explained one first; one row per sample. */
  inputs: Tensor[];
  targets: number[];
  masks?: Tensor;
  metrics: MetricName[];
  pool?: ChannelPooling;
  seed: number;
  options: Partial<Record<MetricName, Record<string, unknown>>>;
  /** Samples per explain batch (default: about 2²⁰ input values, at most 64). */
  batchSize?: number;
  /** Bytes of attributions held at once; bounds how many configurations share one explainMany (default 1 GiB). */
  memoryBytes?: number;
  /** The most configurations that share one explainMany (default 32). */
  chunk?: number;
}

export interface Scored<T> {
  item: T;
  /** One score per sample, per metric (NaN where undefined). */
  perSample: Partial<Record<MetricName, Float64Array>>;
  curves: Partial<Record<MetricName, Float64Array[]>>;
  /** The configuration's attribution of the samples. */
  attributions: Tensor;
}

const SENSITIVITY = ['avg-sensitivity', 'max-sensitivity'] as const;
type Sensitivity = (typeof SENSITIVITY)[number];
const SHARED: readonly MetricName[] = [...SENSITIVITY, 'random-logit'];
/** Configurations whose own metrics run at once: two keep both the native and the JavaScript thread busy. */
const IN_FLIGHT = 2;

/** Rows `begin`…`begin+count−1` of a tensor (a view). */
function prefixRows(t: Tensor, begin: number, count: number): Tensor {
  const size = t.data.length / t.shape[0];
  return new Tensor(t.data.subarray(begin * size, (begin + count) * size), [count, ...t.shape.slice(1)]);
}

/** For every row, its owner sample's row of each input. */
function gatherRows(inputs: Tensor[], owners: readonly number[]): Tensor[] {
  return inputs.map((t) => {
    const size = t.data.length / t.shape[0];
    const data = new Float32Array(owners.length * size);
    owners.forEach((s, i) => data.set(t.data.subarray(s * size, (s + 1) * size), i * size));
    return new Tensor(data, [owners.length, ...t.shape.slice(1)]);
  });
}

function prefix(t: Tensor, rows: number): Tensor {
  return prefixRows(t, 0, rows);
}

/** A shared metric's settings as lib/metrics evaluate() resolves them: shared pool and seed, then its options. */
function metricOptions(data: EvaluationData, name: MetricName): Record<string, unknown> {
  return { seed: data.seed, ...(data.pool ? { pool: data.pool } : {}), ...(data.options[name] ?? {}) };
}

/** What every configuration shares for one set of samples: noisy copies and random-logit classes. */
interface SharedDraws {
  noise: Partial<Record<Sensitivity, { rows: Tensor; k: number }>>;
  others?: number[];
}

export class SharedEvaluator {
  private readonly rowSize: number;
  /** Each distinct warning once (rules naming a folded batch norm warn for every configuration). */
  private readonly warned = new Set<string>();
  private readonly warn = (message: string) => {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    process.stderr.write(`lrp-node: warning: ${message}\n`);
  };
  private readonly draws = new Map<number, SharedDraws>();
  private classes?: number;
  private readonly profile = SearchProfiler.fromEnvironment();
  /** The model the metrics get: with the profile on, one whose forwards are timed (made once, so
   * the target check's cache, kept per model, holds for the whole run). */
  private readonly metricModel: Model;

  constructor(private readonly data: EvaluationData) {
    this.rowSize = data.inputs[0].data.length / data.inputs[0].shape[0];
    this.metricModel = this.profile ? this.profile.timedForwards(data.model, 'perturbation') : data.model;
  }

  get sampleCount(): number {
    return this.data.inputs[0].shape[0];
  }

  private get batchSize(): number {
    return this.data.batchSize ?? defaultBatchSize(this.rowSize);
  }

  /**
   * Configurations explained together: at most `chunk` (default 32: a forward shared by 32
   * propagations is a small part of the cost, and results stream out chunk by chunk), and no more
   * than fit `memoryBytes` of attributions of `samples` samples.
   */
  chunkSize(samples: number): number {
    const perConfig = samples * this.rowSize * 4 * (1 + (this.data.metrics.includes('random-logit') ? 1 : 0));
    return Math.max(1, Math.min(this.data.chunk ?? 32, Math.floor((this.data.memoryBytes ?? 2 ** 30) / perConfig)));
  }

  private async sharedDraws(samples: number, classes: number): Promise<SharedDraws> {
    let draws = this.draws.get(samples);
    if (draws) return draws;
    draws = { noise: {} };
    const x = prefix(this.data.inputs[0], samples);
    for (const name of SENSITIVITY) {
      if (!this.data.metrics.includes(name)) continue;
      const options = metricOptions(this.data, name);
      const rows = sensitivityNoise(x, { ...options, seed: sensitivitySeed(name, options.seed as number) });
      draws.noise[name] = { rows, k: rows.shape[0] / samples };
    }
    if (this.data.metrics.includes('random-logit')) {
      const options = metricOptions(this.data, 'random-logit');
      draws.others = randomLogitClasses(this.data.targets.slice(0, samples), (options.numClasses as number) ?? classes, options.seed as number);
    }
    this.draws.set(samples, draws);
    return draws;
  }

  private async numClasses(): Promise<number> {
    if (this.classes === undefined) {
      const one = this.data.inputs.map((t) => new Tensor(t.data.slice(0, t.data.length / t.shape[0]), [1, ...t.shape.slice(1)]));
      this.classes = (await this.data.model.forward(one)).shape[1];
    }
    return this.classes;
  }

  /**
   * Scores every item's explain config on the first `samples` samples; yields each item as soon as
   * its metrics are done, in the order given.
   */
  async *run<T>(items: ReadonlyArray<{ item: T; explain: ExplainConfig }>, samples: number): AsyncGenerator<Scored<T>> {
    const chunk = this.chunkSize(samples);
    for (let begin = 0; begin < items.length; begin += chunk) {
      yield* this.runChunk(items.slice(begin, begin + chunk), samples);
    }
    this.profile?.write();
  }

  /** explainMany of the model, timed as `phase` when profiling. */
  private explainMany(phase: NativePhase, inputs: Tensor[], targets: number[], configs: ExplainConfig[]) {
    const call = () => this.data.model.explainMany(inputs, targets, configs, this.warn);
    return this.profile ? this.profile.native(phase, inputs[0].shape[0], call) : call();
  }

  private async *runChunk<T>(items: ReadonlyArray<{ item: T; explain: ExplainConfig }>, samples: number): AsyncGenerator<Scored<T>> {
    const { metrics } = this.data;
    const endExplain = this.profile?.stage('explain');
    const inputs = this.data.inputs.map((t) => prefix(t, samples));
    const targets = this.data.targets.slice(0, samples);
    const configs = items.map(({ explain }) => explain);
    const draws = await this.sharedDraws(samples, metrics.includes('random-logit') ? await this.numClasses() : 0);
    const attributions = configs.map(() => new Float32Array(samples * this.rowSize));
    const shared = configs.map(() => ({} as Partial<Record<MetricName, Float64Array>>));
    for (const name of metrics) if (SHARED.includes(name)) shared.forEach((s) => (s[name] = new Float64Array(samples)));
    const owners = targets.map((_, i) => i);
    for (const batch of rowBatches(inputs[0], inputs.slice(1), owners, this.batchSize)) {
      const batchTargets = targets.slice(batch.begin, batch.begin + batch.count);
      const explained = await this.explainMany('explain', batch.inputs, batchTargets, configs);
      explained.forEach(({ relevance }, c) => attributions[c].set(relevance.data, batch.begin * this.rowSize));
      const given = (c: number) => explained[c].relevance;
      if (draws.others) {
        const others = await this.explainMany('random-logit', batch.inputs, draws.others.slice(batch.begin, batch.begin + batch.count), configs);
        others.forEach(({ relevance }, c) => {
          shared[c]['random-logit']!.set(randomLogitScores(given(c), relevance, metricOptions(this.data, 'random-logit')), batch.begin);
        });
      }
      for (const name of SENSITIVITY) {
        const noise = draws.noise[name];
        if (!noise) continue;
        // The k copies of whole samples at a time (about batchSize rows), scored as soon as explained.
        const perBatch = Math.max(1, Math.floor(this.batchSize / noise.k));
        for (let first = batch.begin; first < batch.begin + batch.count; first += perBatch) {
          const count = Math.min(perBatch, batch.begin + batch.count - first);
          const rows = new Tensor(noise.rows.data.subarray(first * noise.k * this.rowSize, (first + count) * noise.k * this.rowSize),
            [count * noise.k, ...noise.rows.shape.slice(1)]);
          const rowOwners = Array.from({ length: count * noise.k }, (_, r) => first + Math.floor(r / noise.k));
          const copies = [rows, ...gatherRows(inputs.slice(1), rowOwners)];
          const perturbed = await this.explainMany('sensitivity', copies, rowOwners.map((s) => targets[s]), configs);
          perturbed.forEach(({ relevance }, c) => {
            const ratios = sensitivityRatios(prefixRows(given(c), first - batch.begin, count), relevance, noise.k, metricOptions(this.data, name));
            shared[c][name]!.set(ratios.map((r) => reduceSensitivity(r, name === 'avg-sensitivity' ? 'mean' : 'max')), first);
          });
        }
      }
    }
    endExplain?.();
    const rest = metrics.filter((m) => !SHARED.includes(m));
    const model = this.metricModel;
    // evaluate() checks the targets against the model's classes; once here, before two run at once.
    if (rest.length > 0) await checkTargets(model, inputs, targets);
    const masks = this.data.masks && prefix(this.data.masks, samples);
    const options = Object.fromEntries(rest.filter((m) => this.data.options[m]).map((m) => [m, this.data.options[m]!]));
    const own = (c: number) => rest.length === 0 ? Promise.resolve({ scores: {}, curves: {} } as Evaluation) : evaluate({
      metrics: rest, attributions: new Tensor(attributions[c], inputs[0].shape), masks, model, inputs, targets,
      explain: configs[c], pool: this.data.pool, seed: this.data.seed, options,
    });
    const running: Array<Promise<Evaluation> | undefined> = [];
    const start = (c: number) => {
      if (c >= items.length || running[c]) return;
      running[c] = own(c);
      // Awaited in turn below; until then a failure must not count as unhandled.
      running[c]!.catch(() => undefined);
    };
    try {
      for (let c = 0; c < items.length; c++) {
        const endMetrics = this.profile?.stage('metrics');
        for (let k = c; k < c + IN_FLIGHT; k++) start(k);
        const result = await running[c]!;
        running[c] = undefined;
        endMetrics?.();
        const perSample: Partial<Record<MetricName, Float64Array>> = {};
        for (const m of metrics) perSample[m] = shared[c][m] ?? result.scores[m];
        yield { item: items[c].item, perSample, curves: result.curves, attributions: new Tensor(attributions[c], inputs[0].shape) };
      }
    } finally {
      // Stopped early (the caller returned, or a metric failed): the configuration started ahead
      // would go on computing after the run has ended (native calls holding the event loop, the
      // model busy under the caller's next call). Its metrics are left to finish first.
      await Promise.allSettled(running.filter((r) => r !== undefined));
    }
    if (this.profile) this.profile.totals.evaluations += items.length * samples;
  }
}
