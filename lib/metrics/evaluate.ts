// Runs a set of metrics on one batch (docs/cli.md "Metrics config"): attributions given or
// computed with the explain config, per-metric options over the shared `pool` and `seed`.
import { LrpError } from '../errors';
import type { ExplainConfig, Model } from '../model';
import type { ChannelPooling } from '../image/pooling';
import { Tensor } from '../tensor';
import { complexity, sparseness } from './complexity';
import { explainRows } from './explained';
import { faithfulnessCorrelation } from './faithfulness_correlation';
import { checkMasks, rma, rra } from './localisation';
import { pixelFlipping } from './pixel_flipping';
import { randomLogit } from './randomisation';
import { regionPerturbation } from './region_perturbation';
import { avgSensitivity, maxSensitivity } from './robustness';
import { METRIC_NAMES, MetricName } from './metric_names';
import { EVALUATE_ARGS, metricDataKeys, takesOption } from './options';
import { checkTargets } from './targets';
import { validate } from '../options/schema';

export { METRIC_NAMES, MetricName };

const MODEL_FREE: readonly MetricName[] = ['sparseness', 'complexity', 'rra', 'rma'];
const NEEDS_MASKS: readonly MetricName[] = ['rra', 'rma'];
const NEEDS_EXPLAIN: readonly MetricName[] = ['avg-sensitivity', 'max-sensitivity', 'random-logit'];

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
  curves: Partial<Record<'region-perturbation' | 'pixel-flipping', Float64Array[]>>;
}

export async function evaluate(args: EvaluateArgs): Promise<Evaluation> {
  validate(EVALUATE_ARGS, args, 'evaluate options');
  for (const name of args.metrics) {
    if (NEEDS_MASKS.includes(name) && !args.masks) throw new LrpError('LRP_BAD_ARGUMENT', `metric '${name}' needs masks`);
    if (!MODEL_FREE.includes(name) && (!args.model || !args.inputs || !args.targets)) {
      throw new LrpError('LRP_BAD_ARGUMENT', `metric '${name}' needs a model, inputs and targets`);
    }
    if (NEEDS_EXPLAIN.includes(name) && !args.explain) throw new LrpError('LRP_BAD_ARGUMENT', `metric '${name}' needs an explain config`);
  }
  if (args.masks && args.metrics.some((name) => NEEDS_MASKS.includes(name))) checkMasks(args.masks);
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
    // Each metric gets its own data, the shared pool and seed where it takes them, and its options.
    const shared = {
      ...Object.fromEntries(metricDataKeys(name).filter((key) => data[key] !== undefined).map((key) => [key, data[key]])),
      ...(takesOption(name, 'seed') ? { seed: args.seed ?? 0 } : {}),
      ...(args.pool ? { pool: args.pool } : {}),
      ...(args.options?.[name] ?? {}),
    } as never;
    switch (name) {
      case 'sparseness': out.scores[name] = await sparseness(shared); break;
      case 'complexity': out.scores[name] = await complexity(shared); break;
      case 'rra': out.scores[name] = await rra(shared); break;
      case 'rma': out.scores[name] = await rma(shared); break;
      case 'faithfulness-correlation': out.scores[name] = await faithfulnessCorrelation(shared); break;
      case 'avg-sensitivity': out.scores[name] = await avgSensitivity(shared); break;
      case 'max-sensitivity': out.scores[name] = await maxSensitivity(shared); break;
      case 'random-logit': out.scores[name] = await randomLogit(shared); break;
      case 'pixel-flipping':
      case 'region-perturbation': {
        const result = name === 'pixel-flipping' ? await pixelFlipping(shared) : await regionPerturbation(shared);
        out.scores[name] = result.scores;
        out.curves[name] = result.curves;
        break;
      }
    }
    args.onProgress?.(++done, args.metrics.length, name);
  }
  return out;
}
