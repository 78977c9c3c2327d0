// The metric suite (docs/metrics.md): every metric, each defined in its own file (lib/metrics/metric.ts).
// The one list of metrics: names, directions, data, options and evaluate() all come from here; a
// new metric is its file plus one line below.
import { object, Spec } from '../options/schema';
import { AVG_SENSITIVITY } from './avg_sensitivity';
import { COMPLEXITY } from './complexity';
import { FAITHFULNESS_CORRELATION } from './faithfulness_correlation';
import { MAX_SENSITIVITY } from './max_sensitivity';
import type { Metric } from './metric';
import type { CurveScores } from './perturbation';
import { PIXEL_FLIPPING } from './pixel_flipping';
import { RANDOM_LOGIT } from './random_logit';
import { REGION_PERTURBATION } from './region_perturbation';
import { RMA } from './rma';
import { RRA } from './rra';
import { SPARSENESS } from './sparseness';

// In this order in messages ("known: …") and in a run over every metric.
const SUITE = [
  SPARSENESS,
  COMPLEXITY,
  RRA,
  RMA,
  REGION_PERTURBATION,
  PIXEL_FLIPPING,
  FAITHFULNESS_CORRELATION,
  AVG_SENSITIVITY,
  MAX_SENSITIVITY,
  RANDOM_LOGIT,
] as const;

export type MetricName = (typeof SUITE)[number]['name'];
/** The metrics whose result has a curve per sample besides the scores. */
export type CurveMetricName = Extract<(typeof SUITE)[number], Metric<string, never, CurveScores>>['name'];

/** The metrics by name; a name registered twice is refused. */
export function metricsByName(list: readonly Metric<MetricName>[]): Readonly<Record<MetricName, Metric<MetricName>>> {
  const out: Partial<Record<MetricName, Metric<MetricName>>> = {};
  for (const metric of list) {
    if (out[metric.name]) throw new Error(`metric '${metric.name}' is registered twice`);
    out[metric.name] = metric;
  }
  return Object.freeze(out as Record<MetricName, Metric<MetricName>>);
}

/** Every metric by its config name. */
export const METRICS = metricsByName(SUITE);
/** The config names, in the suite's order. */
export const METRIC_NAMES: readonly MetricName[] = Object.freeze(SUITE.map((metric) => metric.name));

/** The `options` object of evaluate() and of a metrics config: each metric's options under its name. */
export const METRIC_OPTIONS: Spec = object(Object.fromEntries(SUITE.map((metric) => [metric.name, metric.optionsSpec])));
