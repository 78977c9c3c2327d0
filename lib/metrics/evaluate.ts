// Runs a set of metrics on one batch (docs/cli.md "Metrics config"): attributions given or
// computed with the explain config, per-metric options over the shared `pool` and `seed`.
// Everything about a metric comes from the registry (lib/metrics/registry.ts).
import { LrpError } from '../errors';
import type { ExplainConfig, Model } from '../model';
import { EXPLAIN_CONFIG } from '../explain/schema';
import { custom, listOf, nameOf, object, required, Spec, validate } from '../options/schema';
import type { ChannelPooling } from '../image/pooling';
import { Tensor } from '../tensor';
import { explainRows } from './explained';
import { METRIC_DATA, METRIC_SEED, PREPARE } from './fields';
import { checkMasks } from './localisation';
import { CurveMetricName, METRIC_NAMES, METRIC_OPTIONS, MetricName, METRICS } from './registry';
import { checkTargets } from './targets';

export { METRIC_NAMES, MetricName };

export interface EvaluateArgs {
  metrics: readonly MetricName[];
  attributions?: Tensor;
  masks?: Tensor;
  model?: Model;
  inputs?: Tensor | Tensor[];
  targets?: readonly number[];
  explain?: ExplainConfig;
  pool?: ChannelPooling;
  seed?: number;
  /** Per-metric options (docs/metrics.md names), over the defaults and the shared pool/seed. */
  options?: Partial<Record<MetricName, Record<string, unknown>>>;
  /** Called after each metric: (done, total, name). */
  onProgress?: (done: number, total: number, metric: MetricName) => void;
}

export interface Evaluation {
  scores: Partial<Record<MetricName, Float64Array>>;
  curves: Partial<Record<CurveMetricName, Float64Array[]>>;
}

/** evaluate()'s argument object. */
const EVALUATE_ARGS: Spec = object({
  metrics: required(listOf(nameOf('metric', METRIC_NAMES), 1)),
  ...METRIC_DATA,
  pool: PREPARE.pool,
  seed: METRIC_SEED,
  options: METRIC_OPTIONS,
  onProgress: custom('a function', (v) => typeof v === 'function'),
});

const needs = (name: MetricName, key: keyof typeof METRIC_DATA) => METRICS[name].data[key] === 'required';

export async function evaluate(args: EvaluateArgs): Promise<Evaluation> {
  validate(EVALUATE_ARGS, args, 'evaluate options');
  for (const name of args.metrics) {
    if (needs(name, 'masks') && !args.masks) throw new LrpError('LRP_BAD_ARGUMENT', `metric '${name}' needs masks`);
    if (needs(name, 'model') && (!args.model || !args.inputs || !args.targets)) {
      throw new LrpError('LRP_BAD_ARGUMENT', `metric '${name}' needs a model, inputs and targets`);
    }
    if (needs(name, 'explain') && !args.explain) throw new LrpError('LRP_BAD_ARGUMENT', `metric '${name}' needs an explain config`);
  }
  if (args.masks && args.metrics.some((name) => needs(name, 'masks'))) checkMasks(args.masks);
  const inputs = args.inputs === undefined ? undefined : Array.isArray(args.inputs) ? args.inputs : [args.inputs];
  // Before any compute: the targets against the model's classes, on the user's batch.
  if (args.model && inputs && args.targets) await checkTargets(args.model, inputs, args.targets);
  let attributions = args.attributions;
  if (!attributions) {
    if (!args.model || !inputs || !args.targets || !args.explain) {
      throw new LrpError('LRP_BAD_ARGUMENT', 'without attributions, the metrics need a model, inputs, targets and an explain config');
    }
    const owners = Array.from({ length: inputs[0].shape[0] }, (_, i) => i);
    attributions = await explainRows({ model: args.model, explain: args.explain }, inputs[0], inputs.slice(1), owners, [...args.targets]);
  }
  const data: Record<string, unknown> = {
    attributions, masks: args.masks, model: args.model, inputs: args.inputs, targets: args.targets, explain: args.explain,
  };
  const out: Evaluation = { scores: {}, curves: {} };
  let done = 0;
  for (const name of args.metrics) {
    const metric = METRICS[name];
    // Each metric gets its own data, the shared pool and seed where it takes them, and its options.
    const result = await metric.score({
      ...Object.fromEntries(Object.keys(metric.data).filter((key) => data[key] !== undefined).map((key) => [key, data[key]])),
      ...('seed' in metric.options ? { seed: args.seed ?? 0 } : {}),
      ...(args.pool ? { pool: args.pool } : {}),
      ...(args.options?.[name] ?? {}),
    });
    if (result instanceof Float64Array) {
      out.scores[name] = result;
    } else {
      out.scores[name] = result.scores;
      out.curves[name as CurveMetricName] = result.curves;
    }
    args.onProgress?.(++done, args.metrics.length, name);
  }
  return out;
}
