// Relevance mass accuracy (docs/metrics.md §6, Arras et al. 2022): the share of the attribution's
// total inside the mask.
import { WITH_MASKS } from './fields';
import { LocalisationArgs, withMasks } from './localisation';
import { defineMetric } from './metric';

export const RMA = defineMetric({
  name: 'rma',
  direction: 'max',
  category: 'localisation',
  ...WITH_MASKS,
  run: async (args: LocalisationArgs) => Float64Array.from(withMasks(args), ({ sample, mask }) => {
    let inside = 0;
    let total = 0;
    let k = 0;
    sample.values.forEach((v, i) => {
      total += v;
      if (mask[i]) {
        inside += v;
        k++;
      }
    });
    return k === 0 ? NaN : inside / total;
  }),
});

export const rma = RMA.compute;
