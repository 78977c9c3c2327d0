// Parity with zennit 0.5.1 for rule maps that name modules and for the paper's relation-network
// forward (test/fixture_makers/make_rule_map_references.py). Same tolerance rule as explain.test.ts:
// 5× zennit's own float32-vs-float64 relative L2 difference on the case, + 1e-6.
// Each group failed before its fix: a rule naming a module reached only its first call (0.16–0.22
// off on the ResNet), a `pass` naming a ReLU that became a ThreshReLU replaced its gradient (1–3.4
// off on DenseNet), and the relation network kept its last batch norm (0.6–5 off canonized).
import * as fs from 'fs';
import * as path from 'path';

import { loadModel, Model, readNpy, RuleOverride, Tensor } from '../../lib';
import { fixtureInputs, modelPath, relativeL2 } from '../helpers';

const DIR = path.join(__dirname, '..', 'fixtures', 'rule_maps');
interface Case {
  family: string;
  composite: string;
  canonize: boolean | { order: 'left-first' | 'relu-first'; biasMapInZ: boolean };
  target: number[];
  float32VsFloat64: number;
  rules: RuleOverride[] | null;
}
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as {
  low: number; high: number; cases: Record<string, Case>;
};

const models = new Map<string, Promise<Model>>();
function model(family: string): Promise<Model> {
  const file = family === 'relation_paper' ? path.join(DIR, 'relation_paper.pt') : modelPath(family);
  if (!models.has(family)) models.set(family, loadModel(file));
  return models.get(family)!;
}

async function inputs(family: string): Promise<Tensor[]> {
  if (family !== 'relation_paper') return fixtureInputs(family);
  return Promise.all([0, 1].map((k) => readNpy(path.join(DIR, `relation_paper.input${k}.npy`))));
}

test('the reference set is complete', () => {
  const names = Object.keys(manifest.cases);
  expect(names.filter((n) => n.startsWith('resnet_basic.'))).toHaveLength(2);
  expect(names.filter((n) => n.startsWith('densenet.'))).toHaveLength(3);
  expect(names.filter((n) => n.startsWith('relation_paper.'))).toHaveLength(26);
});

describe('rule maps and the paper relation network: parity with zennit 0.5.1', () => {
  test.each(Object.keys(manifest.cases))('%s', async (name) => {
    const spec = manifest.cases[name];
    const expected = await readNpy(path.join(DIR, `${name}.npy`));
    const warnings: string[] = [];
    const { relevance } = await (await model(spec.family)).explain(await inputs(spec.family), {
      target: spec.target,
      composite: spec.composite as never,
      canonize: spec.canonize,
      low: manifest.low,
      high: manifest.high,
      rules: spec.rules ?? undefined,
      onWarning: (message: string) => warnings.push(message),
    });
    expect(relevance.shape).toEqual(expected.shape);
    expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(5 * spec.float32VsFloat64 + 1e-6);
  });
});

describe('what the rule maps resolve to', () => {
  test("a module name matches every call of the module ('layer1.0.relu' and 'layer1.0.relu_1')", async () => {
    const m = await model('resnet_basic');
    const calls = m.layers.filter((l) => (l.module ?? l.name) === 'layer1.0.relu').map((l) => l.name);
    expect(calls).toEqual(['layer1.0.relu', 'layer1.0.relu_1']);
  });

  test('the relation network canonizes completely: its last batch norm folds into two column blocks of g1', async () => {
    const canonized = await (await model('relation_paper')).canonize();
    expect(canonized.counts.batch_norm ?? 0).toBe(0);
    const last = canonized.canonization!.folds.find((f) => f.batchNorm === 'image_encoder.8')!;
    expect(last.pass).toBe('bn-concat-linear');
    expect(last.into).toEqual(['g1']);
    const expected = await readNpy(path.join(DIR, 'relation_paper.output.npy'));
    const out = await canonized.forward(await inputs('relation_paper'));
    let worst = 0;
    for (let i = 0; i < out.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i] - expected.data[i]));
    expect(worst).toBeLessThanOrEqual(1e-5 * Math.max(1, ...Array.from(expected.data, Math.abs)));
  });

  test("a relation network written with run-time sizes (reshape(n, h*w, -1), expand) canonizes completely", async () => {
    // Before: its last batch norm stayed ("the size of its input 0 is not static"): the cat offset
    // of x_j is C + 2, which the graph knows only through the reshape's -1.
    const file = path.join(DIR, 'relation_reshape.pt');
    const canonized = await loadModel(file, { canonize: true });
    expect(canonized.counts.batch_norm ?? 0).toBe(0);
    expect(canonized.canonization!.folds.find((f) => f.batchNorm === 'encoder.5')!.pass).toBe('bn-concat-linear');
    const inputs = await Promise.all([0, 1].map((k) => readNpy(path.join(DIR, `relation_reshape.input${k}.npy`))));
    const expected = await readNpy(path.join(DIR, 'relation_reshape.output.npy'));
    const out = await canonized.forward(inputs);
    let worst = 0;
    for (let i = 0; i < out.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i] - expected.data[i]));
    expect(worst).toBeLessThanOrEqual(1e-5 * Math.max(1, ...Array.from(expected.data, Math.abs)));
  });

  test('a rule naming a ReLU that canonization made a ThreshReLU is ignored with a warning', async () => {
    const m = await model('densenet');
    const warnings: string[] = [];
    const [x] = await fixtureInputs('densenet');
    const relu = 'features.denseblock1.denselayer1.relu2';
    const named = await m.explain(x, {
      target: 1, composite: 'name-map', canonize: { order: 'relu-first' },
      rules: [{ layers: [relu], rule: 'pass' }], onWarning: (w: string) => warnings.push(w),
    });
    const unnamed = await m.explain(x, { target: 1, composite: 'name-map', canonize: { order: 'relu-first' } });
    expect(Array.from(named.relevance.data)).toEqual(Array.from(unnamed.relevance.data));
    expect(warnings.join('\n')).toContain(relu);
  });
});
