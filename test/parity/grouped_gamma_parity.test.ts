// The γ and zbox rules on grouped and depthwise convolutions after ReLUs, against zennit 0.5.1
// (test/fixture_makers/make_grouped_gamma_references.py). After a ReLU the γ rule runs one
// transposed convolution with [W + γW⁺; W + γW⁻] stacked group by group, and a first-layer zbox one
// with [W, W⁺, W⁻] (docs/explain.md); flat sums over output channels before one single-channel
// product. A stacking that mixed up groups or channels gives errors of order 1. Tolerance as in explain.test.ts: 5× zennit's own float32-vs-float64 difference + 1e-6.
import * as fs from 'fs';
import * as path from 'path';

import { loadModel, readNpy } from '../../lib';
import { relativeL2 } from '../helpers';

const DIR = path.join(__dirname, '..', 'fixtures', 'zennit', 'grouped');
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as {
  target: number[];
  cases: Record<string, { config: Record<string, unknown>; float32VsFloat64: number }>;
};

describe('grouped convolutions after ReLUs: parity with zennit 0.5.1', () => {
  test.each(Object.keys(manifest.cases))('%s', async (name) => {
    const model = await loadModel(path.join(DIR, 'model.pt'));
    const x = await readNpy(path.join(DIR, 'input.npy'));
    const expected = await readNpy(path.join(DIR, `${name}.npy`));
    const spec = manifest.cases[name];
    const { relevance } = await model.explain(x, { target: manifest.target, ...(spec.config as object) });
    expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(5 * spec.float32VsFloat64 + 1e-6);
  });

  test('a γ grid over the grouped layers: explainMany equals separate explains exactly', async () => {
    const model = await loadModel(path.join(DIR, 'model.pt'));
    const x = await readNpy(path.join(DIR, 'input.npy'));
    const gammas = [0, 0.25, 10];
    const configs = gammas.flatMap((low) => gammas.map((high) => ({
      composite: 'epsilon-gamma-box' as const, low: -3, high: 3,
      rules: [{ layers: ['2'], rule: 'gamma' as const, gamma: low }, { layers: ['4', '8'], rule: 'gamma' as const, gamma: high }],
    })));
    const many = await model.explainMany(x, manifest.target, configs);
    expect(new Set(many.map((e) => Array.from(e.relevance.data).join(','))).size).toBe(configs.length);
    for (const k of [0, 4, 8]) {
      const one = await model.explain(x, { target: manifest.target, ...configs[k] });
      expect(Array.from(many[k].relevance.data)).toEqual(Array.from(one.relevance.data));
    }
  });
});
