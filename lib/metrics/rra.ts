// Relevance rank accuracy (docs/metrics.md §5, Arras et al. 2022): the share of the K = |mask|
// highest-ranked positions that lie in the mask.
import { WITH_MASKS } from './fields';
import { LocalisationArgs, withMasks } from './localisation';
import { defineMetric } from './metric';
import { sortedIndices } from './prepare';

export const RRA = defineMetric({
  name: 'rra',
  direction: 'max',
  category: 'localisation',
  ...WITH_MASKS,
  run: async (args: LocalisationArgs) => Float64Array.from(withMasks(args), ({ sample, mask }) => {
    const k = mask.reduce((a, b) => a + b, 0);
    if (k === 0 || sample.values.some(Number.isNaN)) return NaN;
    const order = sortedIndices(sample.values, true);
    let hits = 0;
    for (let i = 0; i < k; i++) hits += mask[order[i]];
    return hits / k;
  }),
});

export const rra = RRA.compute;
