// The ten metrics of the suite (docs/metrics.md), by the names configs use.
export const METRIC_NAMES = [
  'sparseness', 'complexity', 'rra', 'rma', 'region-perturbation', 'pixel-flipping', 'faithfulness-correlation',
  'avg-sensitivity', 'max-sensitivity', 'random-logit',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
