// Complexity (docs/metrics.md §4, Bhatt et al. 2020): the Shannon entropy of each sample's attribution.
import { PREPARE } from './fields';
import { defineMetric } from './metric';
import { prepareModelFree } from './prepare';
import type { ComplexityArgs } from './sparseness';

export const COMPLEXITY = defineMetric({
  name: 'complexity',
  direction: 'min',
  category: 'complexity',
  data: { attributions: 'required' },
  options: PREPARE,
  run: async (args: ComplexityArgs) => {
    const samples = prepareModelFree(args);
    return Float64Array.from(samples, ({ values }) => {
      // p_i = v_i / Σ|v_j|;  score = −Σ p_i ln(p_i + 1e-12)
      let norm = 0;
      for (const v of values) norm += Math.abs(v);
      let entropy = 0;
      for (const v of values) {
        const p = v / norm;
        entropy -= p * Math.log(p + 1e-12);
      }
      return entropy;
    });
  },
});

/** Shannon entropy of each sample's attribution distribution: lower is simpler. */
export const complexity = COMPLEXITY.compute;
