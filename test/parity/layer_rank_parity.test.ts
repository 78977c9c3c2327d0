// Every layer rule on a dense layer reading 2-, 3- and 4-D input and on a convolution, each on a
// signed input and on a ReLU's output, against zennit 0.5.1
// (test/fixture_makers/make_layer_rank_references.py). Tolerance as in explain.test.ts: 5× zennit's
// own float32-vs-float64 relative L2 difference on the case, + 1e-6.
// Before the dense layer's rows were flattened for the rules, every rule with sign-split or stacked
// terms failed on 3-D and 4-D input (γ: "mat1 and mat2 shapes cannot be multiplied"), and nothing
// tested a rule other than ε on a dense layer of rank 3.
import * as fs from 'fs';
import * as path from 'path';

import { ExplainConfig, loadModel, Model, readNpy, RuleOverride, Tensor } from '../../lib';
import { relativeL2 } from '../helpers';

const DIR = path.join(__dirname, '..', 'fixtures', 'layer_ranks');
interface Case {
  model: string;
  rules: RuleOverride[];
  target: number[];
  float32VsFloat64: number;
}
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as { cases: Record<string, Case> };
const MODELS = ['dense2d', 'dense3d', 'dense4d', 'conv'];
const RULES = ['epsilon', 'epsilon-no-bias', 'gamma-0', 'gamma-0.25', 'gamma-1', 'zplus', 'alpha2-beta1', 'alpha1-beta0',
  'zbox', 'flat', 'wsquare'];

const models = new Map<string, Promise<Model>>();
function model(name: string): Promise<Model> {
  if (!models.has(name)) models.set(name, loadModel(path.join(DIR, `${name}.pt`)));
  return models.get(name)!;
}
const input = (name: string): Promise<Tensor> => readNpy(path.join(DIR, `${name}.input0.npy`));
const config = (spec: Case): ExplainConfig => ({ composite: 'name-map', rules: spec.rules });

async function expectReference(name: string, relevance: Tensor): Promise<void> {
  const expected = await readNpy(path.join(DIR, `${name}.npy`));
  expect(relevance.shape).toEqual(expected.shape);
  expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(5 * manifest.cases[name].float32VsFloat64 + 1e-6);
}

afterAll(() => Promise.all([...models.values()].map(async (m) => (await m).dispose())));

test('the reference set has every rule on every model', () => {
  expect(Object.keys(manifest.cases).sort()).toEqual(MODELS.flatMap((m) => RULES.map((r) => `${m}.${r}`)).sort());
});

describe.each(MODELS)('%s: each rule alone, equal to zennit', (modelName) => {
  test.each(RULES)('%s', async (rule) => {
    const name = `${modelName}.${rule}`;
    const spec = manifest.cases[name];
    const { relevance } = await (await model(modelName)).explain(await input(modelName), { target: spec.target, ...config(spec) });
    await expectReference(name, relevance);
  });
});

describe.each(MODELS)('%s: every rule in one explainMany (the shared tree and z-term caches)', (modelName) => {
  test('each configuration equals its zennit reference', async () => {
    const names = RULES.map((r) => `${modelName}.${r}`);
    const results = await (await model(modelName)).explainMany(await input(modelName), {
      target: manifest.cases[names[0]].target,
      configs: names.map((n) => config(manifest.cases[n])),
    });
    expect(results).toHaveLength(names.length);
    for (let k = 0; k < names.length; k++) await expectReference(names[k], results[k].relevance);
  });
});

test('alpha-beta accepts α − β = 1 up to round-off (2.2, 1.2) natively, as the schema does, and is linear in α, β', async () => {
  // With the rule on the first layer only, the relevance reaching it is the same for every α, β,
  // so R(α, β) = α·P − β·N, and R(2.2, 1.2) = 1.2·R(2, 1) − 0.2·R(1, 0). Before, the native check
  // compared α − β to 1 exactly and rejected what the schema let through.
  const m = await model('dense3d');
  const rule = (alpha: number, beta: number): ExplainConfig =>
    ({ composite: 'name-map', rules: [{ layers: ['first'], rule: 'alpha-beta', alpha, beta }] });
  const [r22, r21, r10] = await m.explainMany(await input('dense3d'), {
    target: [1, 3], configs: [rule(2.2, 1.2), rule(2, 1), rule(1, 0)],
  });
  const expected = r21.relevance.data.map((v, i) => 1.2 * v - 0.2 * r10.relevance.data[i]);
  expect(relativeL2(r22.relevance.data, expected)).toBeLessThan(1e-5);
});
