// AttnLRP's rules on every rank and layer kind they meet (docs/explain.md, "Transformers"): layer
// norms on 2-D, 3-D and 4-D channels-last input (with and without affine parameters, over one or
// two axes), softmaxes of rank 2–4 over the last axis and another one with masked (−inf) positions,
// products of two computed tensors (matmul 2-D × 2-D, bmm, 4-D batched heads, element-wise, a
// masked 4-D attention block), GELU on ranks 2–4 after dense layers of that rank — each rule alone
// (a name map on that layer) and through attn-lrp, attn-lrp-gamma and cp-lrp, against the reference
// from AttnLRP's propositions (test/fixture_makers/make_attention_rank_references.py). Tolerance as
// in attention.test.ts: 5× the reference's float32-vs-float64 relative L2 distance, + 1e-6.
import * as fs from 'fs';
import * as path from 'path';

import { ExplainConfig, loadModel, Model, readNpy, RuleSpec, Tensor } from '../../lib';
import { relativeL2 } from '../helpers';

const DIR = path.join(__dirname, '..', 'fixtures', 'attention_ranks');
interface Config { float32VsFloat64: number; rule?: RuleSpec; composite?: 'attn-lrp' | 'attn-lrp-gamma' | 'cp-lrp' }
interface Case { category: string; target: number[]; masked: boolean; configs: Record<string, Config> }
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as { cases: Record<string, Case> };
const CASES = Object.keys(manifest.cases);

const models = new Map<string, Promise<Model>>();
function model(name: string): Promise<Model> {
  if (!models.has(name)) models.set(name, loadModel(path.join(DIR, `${name}.pt`)));
  return models.get(name)!;
}
const npy = (name: string): Promise<Tensor> => readNpy(path.join(DIR, `${name}.npy`));
afterAll(() => Promise.all([...models.values()].map(async (m) => (await m).dispose())));

/** The rule alone on every layer of the case's category, or the composite. */
function configOf(m: Model, spec: Case, config: Config): ExplainConfig {
  if (config.composite) return { composite: config.composite };
  const layers = m.layers.filter((l) => l.category === spec.category).map((l) => l.name);
  expect(layers.length).toBeGreaterThan(0);
  return { composite: 'name-map', rules: [{ layers, ...config.rule! }] };
}

test('the reference set covers every rank and layer kind', () => {
  expect(CASES.sort()).toEqual([
    'attention_4d', 'bmm_3d', 'gelu_2d', 'gelu_3d_tanh', 'gelu_4d',
    'layer_norm_2d', 'layer_norm_2d_plain', 'layer_norm_3d', 'layer_norm_3d_plain', 'layer_norm_4d', 'layer_norm_4d_plain', 'layer_norm_4d_two_axes',
    'matmul_2d', 'matmul_4d', 'mul_3d',
    'softmax_2d_masked', 'softmax_3d_dim1_masked', 'softmax_3d_last', 'softmax_4d_dim1', 'softmax_4d_last_masked',
  ]);
  for (const spec of Object.values(manifest.cases)) {
    expect(Object.keys(spec.configs)).toEqual(expect.arrayContaining(['alone-0', 'attn-lrp', 'attn-lrp-gamma', 'cp-lrp']));
  }
});

describe.each(CASES)('%s', (name) => {
  const spec = manifest.cases[name];

  test('the operator is a layer of its category at the traced rank', async () => {
    const m = await model(name);
    expect(m.layers.filter((l) => l.category === spec.category).length).toBeGreaterThan(0);
  });

  test.each(Object.keys(spec.configs))('%s equals the reference', async (key) => {
    const m = await model(name);
    const x = await npy(`${name}.input`);
    const expected = await npy(`${name}.${key}`);
    const { relevance } = await m.explain([x], { target: spec.target, ...configOf(m, spec, spec.configs[key]) });
    expect(relevance.shape).toEqual(expected.shape);
    expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(5 * spec.configs[key].float32VsFloat64 + 1e-6);
    if (spec.masked) {
      // the masked positions are the reference's exact zeros: lrp-node gives them exactly 0 too
      const zeros = [...expected.data.keys()].filter((i) => expected.data[i] === 0);
      expect(zeros.length).toBeGreaterThan(0);
      for (const i of zeros) expect(Math.abs(relevance.data[i])).toBe(0);
    }
  });
});
