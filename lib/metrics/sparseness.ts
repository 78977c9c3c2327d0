// Sparseness (docs/metrics.md §3, Chalasani et al. 2020): the Gini index of each sample's attribution.
import { Tensor } from '../tensor';
import { ATTRIBUTION_ONLY } from './fields';
import { defineMetric } from './metric';
import { prepareModelFree, PrepareOptions } from './prepare';

export interface ComplexityArgs extends PrepareOptions {
  attributions: Tensor;
}

export const SPARSENESS = defineMetric({
  name: 'sparseness',
  direction: 'max',
  category: 'complexity',
  ...ATTRIBUTION_ONLY,
  run: async (args: ComplexityArgs) => Float64Array.from(prepareModelFree(args), ({ values }) => {
    // score = Σ_k (2k − n − 1)·v_(k) / (n·Σ v), v sorted ascending, after v ← v + 1e-7.
    const v = new Float64Array(values.length);
    for (let i = 0; i < v.length; i++) v[i] = values[i] + 1e-7;
    v.sort();
    const n = v.length;
    let weighted = 0;
    let total = 0;
    for (let k = 1; k <= n; k++) {
      weighted += (2 * k - n - 1) * v[k - 1];
      total += v[k - 1];
    }
    return weighted / (n * total);
  }),
});

/** Gini index of each sample's attribution: higher is sparser. */
export const sparseness = SPARSENESS.compute;
