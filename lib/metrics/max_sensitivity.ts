// Max-sensitivity (docs/metrics.md §11, Yeh et al. 2019): the largest, over k noisy copies of a
// sample (drawn apart from avg-sensitivity's), change of its explanation relative to its norm.
import { defineMetric } from './metric';
import { reduceSensitivity, sensitivities, SENSITIVITY, SensitivityArgs, sensitivitySeed } from './robustness';

export const MAX_SENSITIVITY = defineMetric({
  name: 'max-sensitivity',
  ...SENSITIVITY,
  run: async (args: SensitivityArgs) =>
    Float64Array.from(await sensitivities({ ...args, seed: sensitivitySeed('max-sensitivity', args.seed) }), (s) => reduceSensitivity(s, 'max')),
});

export const maxSensitivity = MAX_SENSITIVITY.compute;
