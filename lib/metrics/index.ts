// The metric suite (docs/metrics.md); each metric returns one score per sample.
export { sparseness, complexity, ComplexityArgs } from './complexity';
export { rra, rma, boxesToMasks, Box, LocalisationArgs } from './localisation';
export { prepareAttributions, Normalisation, PrepareOptions } from './prepare';
export { pixelFlipping, PixelFlippingArgs } from './pixel_flipping';
export { CurveScores, Baseline } from './perturbation';
export { regionPerturbation, RegionPerturbationArgs } from './region_perturbation';
export { faithfulnessCorrelation, FaithfulnessCorrelationArgs, pearson } from './faithfulness_correlation';
export { avgSensitivity, maxSensitivity, SensitivityArgs } from './robustness';
export { randomLogit, RandomLogitArgs } from './randomisation';
export { ssim1 } from './ssim';
export { evaluate, EvaluateArgs, Evaluation, MetricName, METRIC_NAMES } from './evaluate';
