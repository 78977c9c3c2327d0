// Complexity metrics (docs/metrics.md §3–4): sparseness (Gini index) and complexity (entropy).
import { definedOnly } from '../util/defined_only';
import { Tensor } from '../tensor';
import { prepareAttributions, PrepareOptions } from './prepare';
import { checkMetricArgs } from './options';

export interface ComplexityArgs extends PrepareOptions {
  attributions: Tensor;
}

const DEFAULTS = { pool: 'sum', normalise: 'second-moment', abs: true } as const;

/** Gini index of each sample's attribution (Chalasani et al. 2020): higher is sparser. */
export async function sparseness(args: ComplexityArgs): Promise<Float64Array> {
  checkMetricArgs('sparseness', args);
  const samples = prepareAttributions(args.attributions, { ...DEFAULTS, ...definedOnly(args) });
  return Float64Array.from(samples, ({ values }) => {
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
  });
}

/** Shannon entropy of each sample's attribution distribution (Bhatt et al. 2020): lower is simpler. */
export async function complexity(args: ComplexityArgs): Promise<Float64Array> {
  checkMetricArgs('complexity', args);
  const samples = prepareAttributions(args.attributions, { ...DEFAULTS, ...definedOnly(args) });
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
}
