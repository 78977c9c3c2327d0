// Complexity (docs/metrics.md §4, Bhatt et al. 2020): the Shannon entropy of each sample's attribution.
import { ATTRIBUTION_ONLY } from './fields';
import { defineMetric } from './metric';
import { prepareModelFree } from './prepare';
import type { ComplexityArgs } from './sparseness';

export const COMPLEXITY = defineMetric({
  name: 'complexity',
  direction: 'min',
  category: 'complexity',
  ...ATTRIBUTION_ONLY,
  run: async (args: ComplexityArgs) => Float64Array.from(prepareModelFree(args), ({ values }) => {
    // p_i = v_i / Σ|v_j|;  score = −Σ p_i ln(p_i + 1e-12)
    let norm = 0;
    for (const v of values) norm += Math.abs(v);
    let entropy = 0;
    for (const v of values) {
      const p = v / norm;
      entropy -= p * Math.log(p + 1e-12);
    }
    return entropy;
  }),
});

/** Shannon entropy of each sample's attribution distribution: lower is simpler. */
export const complexity = COMPLEXITY.compute;
