// Avg-sensitivity (docs/metrics.md §11, Yeh et al. 2019): the mean, over k noisy copies of a
// sample, of how much its explanation changes relative to its norm.
import { defineMetric } from './metric';
import { reduceSensitivity, sensitivities, SENSITIVITY, SensitivityArgs } from './robustness';

export const AVG_SENSITIVITY = defineMetric({
  name: 'avg-sensitivity',
  ...SENSITIVITY,
  run: async (args: SensitivityArgs) => Float64Array.from(await sensitivities(args), (s) => reduceSensitivity(s, 'mean')),
});

export const avgSensitivity = AVG_SENSITIVITY.compute;
