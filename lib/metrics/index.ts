// The metric suite (docs/metrics.md); each metric returns one score per sample. Every metric is
// defined in its own file and listed in registry.ts.
export { sparseness, ComplexityArgs } from './sparseness';
export { complexity } from './complexity';
export { rra } from './rra';
export { rma } from './rma';
export { boxesToMasks, Box, LocalisationArgs } from './localisation';
export { prepareAttributions, Normalisation, PrepareOptions } from './prepare';
export { pixelFlipping, PixelFlippingArgs } from './pixel_flipping';
export { CurveScores, Baseline } from './perturbation';
export { regionPerturbation, RegionPerturbationArgs } from './region_perturbation';
export { faithfulnessCorrelation, FaithfulnessCorrelationArgs, pearson } from './faithfulness_correlation';
export { avgSensitivity } from './avg_sensitivity';
export { maxSensitivity } from './max_sensitivity';
export { SensitivityArgs } from './robustness';
export { randomLogit, RandomLogitArgs } from './random_logit';
export { ssim1 } from './ssim';
export { evaluate, EvaluateArgs, Evaluation, MetricName, METRIC_NAMES } from './evaluate';
