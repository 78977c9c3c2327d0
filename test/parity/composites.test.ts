// Composites as data (docs/explain.md, "Composites" and "Adding a composite"): a user composite is
// a value (a layer map by category, a first-layer rule, the structural rules), from TypeScript and
// from a JSON config, checked key by key. zennit's EpsilonPlusFlat and GuidedBackprop written as
// user composites equal zennit 0.5.1's relevance (same references and tolerance as
// explain.test.ts); every built-in composite passed as its value places the rules its name does.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { assignRules, categoryOf, Composite, COMPOSITE_NAMES, COMPOSITES, encodeNpy, Layer, loadModel, Model, readNpy } from '../../lib';
import { CLI, FAMILIES, fixtureInputs, modelPath, rejection, relativeL2 } from '../helpers';

const ZENNIT = path.join(__dirname, '..', 'fixtures', 'zennit');
const zennit = JSON.parse(fs.readFileSync(path.join(ZENNIT, 'manifest.json'), 'utf8')) as {
  low: number;
  high: number;
  cases: Record<string, { family: string; composite: string; canonize: unknown; target: number[]; float32VsFloat64: number }>;
};

const models = new Map<string, Promise<Model>>();
function model(family: string): Promise<Model> {
  if (!models.has(family)) models.set(family, loadModel(modelPath(family)));
  return models.get(family)!;
}

/** zennit's EpsilonPlusFlat as a user composite: its layer map, its first-layer rule, the structural rules by default. */
const EPSILON_PLUS_FLAT: Composite = {
  layerMap: {
    convolution: { rule: 'zplus' },
    dense: { rule: 'epsilon' },
    activation: { rule: 'pass' },
    'batch-norm': { rule: 'pass' },
  },
  first: { category: 'linear', rule: 'flat' },
};
const GUIDED_BACKPROP: Composite = { layerMap: { relu: { rule: 'relu-guided-backprop' } } };

describe('a user composite equals zennit', () => {
  const cases = Object.keys(zennit.cases).filter((name) => name.endsWith('.plain') &&
    ['epsilon-plus-flat', 'guided-backprop'].includes(zennit.cases[name].composite));

  test('every family, both composites', () => {
    expect(cases).toHaveLength(2 * FAMILIES.length);
  });

  test.each(cases)('%s', async (name) => {
    const spec = zennit.cases[name];
    const inputs = await fixtureInputs(spec.family);
    const expected = await readNpy(path.join(ZENNIT, `${name}.npy`));
    const composite = spec.composite === 'epsilon-plus-flat' ? EPSILON_PLUS_FLAT : GUIDED_BACKPROP;
    const { relevance } = await (await model(spec.family)).explain(inputs, { target: spec.target, composite });
    expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(5 * spec.float32VsFloat64 + 1e-6);
  });
});

describe('placement', () => {
  const params = { low: zennit.low, high: zennit.high, epsilon: 1e-3, gamma: 0.5, stabilizer: 1e-5, betaSmooth: 5 };

  test.each(FAMILIES)('%s: each built-in composite as a value places what its name places', async (family) => {
    const layers = (await model(family)).layers;
    for (const name of COMPOSITE_NAMES) {
      expect(assignRules(layers, COMPOSITES[name](params))).toEqual(assignRules(layers, name, params));
    }
  });

  test('the most specific entry wins; activations and batch norms are reached as modules only', async () => {
    const layers = (await model('efficientnet')).layers;
    const rules = new Map(assignRules(layers, { layerMap: { activation: { rule: 'pass' }, relu: { rule: 'relu-deconvnet' } } })
      .map((r) => [r.layer, r.rule]));
    const modules = (op: string) => layers.filter((l) => l.op === op && !l.functional);
    expect(modules('relu').length + modules('silu').length).toBeGreaterThan(0);
    for (const l of modules('relu')) expect(rules.get(l.name)).toBe('relu-deconvnet');
    for (const l of [...modules('silu'), ...modules('sigmoid')]) expect(rules.get(l.name)).toBe('pass');
    for (const l of layers.filter((l) => l.functional && categoryOf(l) === 'activation')) expect(rules.has(l.name)).toBe(false);
  });

  test('structural rules: norm on sums and average poolings unless turned off or named', async () => {
    const layers = (await model('resnet_basic')).layers;
    const structural = (l: Layer) => ['sum', 'average-pooling'].includes(categoryOf(l));
    expect(layers.filter(structural).length).toBeGreaterThan(1);
    const of = (composite: Composite) => new Map(assignRules(layers, composite).map(({ layer, ...spec }) => [layer, spec]));
    const byDefault = of({ layerMap: { dense: { rule: 'epsilon' } } });
    for (const l of layers.filter(structural)) expect(byDefault.get(l.name)).toEqual({ rule: 'norm' });
    const off = of({ layerMap: { dense: { rule: 'epsilon' } }, structural: false });
    for (const l of layers.filter(structural)) expect(off.has(l.name)).toBe(false);
    const named = of({ layerMap: { sum: { rule: 'epsilon', epsilon: 0.1 } } });
    for (const l of layers.filter((l) => categoryOf(l) === 'sum')) expect(named.get(l.name)).toEqual({ rule: 'epsilon', epsilon: 0.1 });
  });

  test('the first-layer rule goes to the first layer of its category only', async () => {
    const layers = (await model('vgg')).layers;
    const dense = layers.filter((l) => categoryOf(l) === 'dense');
    const rules = assignRules(layers, { layerMap: {}, first: { category: 'dense', rule: 'flat' } });
    expect(rules.filter((r) => r.rule === 'flat').map((r) => r.layer)).toEqual([dense[0].name]);
  });
});

describe('bad composites are one clear error', () => {
  test.each([
    [{ layerMap: { conv: { rule: 'zplus' } } }, /^explain options: unknown key 'conv' in composite\.layerMap \(known: convolution, dense, linear, activation, relu, batch-norm, sum, average-pooling, layer-norm, softmax, attention-product, product, elementwise\)$/],
    [{ layerMap: { dense: { rule: 'epsilon', gamma: 1 } } }, /unknown key 'gamma' in composite\.layerMap\.dense \('gamma' does not apply to rule epsilon\)/],
    [{ layerMap: { dense: { rule: 'epsilonn' } } }, /unknown rule 'epsilonn' in composite\.layerMap\.dense\.rule \(did you mean 'epsilon'\?/],
    [{ layerMap: {}, first: { rule: 'flat' } }, /explain options: composite\.first\.category is required/],
    [{ layerMap: {}, first: { category: 'input', rule: 'flat' } }, /unknown layer category 'input' in composite\.first\.category/],
    [{ first: { category: 'dense', rule: 'flat' } }, /explain options: composite\.layerMap is required/],
    [{ layerMap: {}, firstLayer: {} }, /unknown key 'firstLayer' in composite \(known: layerMap, first, structural\)/],
  ])('%j', async (composite, message) => {
    const [x] = await fixtureInputs('vgg');
    const error = await rejection((await model('vgg')).explain(x, { target: 1, composite: composite as never }));
    expect(error.code).toBe('LRP_BAD_ARGUMENT');
    expect(error.message.split('\n')).toHaveLength(1);
    expect(error.message).toMatch(message);
  });

  test('composite-wide parameters beside a user composite', async () => {
    const [x] = await fixtureInputs('vgg');
    const error = await rejection((await model('vgg')).explain(x, { target: 1, composite: EPSILON_PLUS_FLAT, epsilon: 0.1 }));
    expect(error.message).toBe("explain options: 'epsilon' applies to the built-in composites only; a user composite sets its parameters in its rules (layerMap, first)");
    expect(() => assignRules([], EPSILON_PLUS_FLAT, { gamma: 1 })).toThrow(/'gamma' apply to the built-in composites only/);
  });
});

describe('a user composite in a JSON config (lrp-node explain)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-composite-'));
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 });

  test('gives the built-in composite\'s relevance; a bad one fails with one line, exit 1', async () => {
    const [x] = await fixtureInputs('resnet_basic');
    const input = path.join(tmp, 'x.npy');
    fs.writeFileSync(input, encodeNpy(x));
    const explain = (config: object, out: string) => {
      const file = path.join(tmp, `${out}.json`);
      fs.writeFileSync(file, JSON.stringify(config));
      return run('explain', '--model', modelPath('resnet_basic'), '--input', input, '--config', file, '--target', '1', '--out', path.join(tmp, `${out}.npy`));
    };
    expect(explain({ composite: 'epsilon-plus-flat' }, 'builtin').status).toBe(0);
    expect(explain({ composite: EPSILON_PLUS_FLAT }, 'user').status).toBe(0);
    const [builtin, user] = await Promise.all([readNpy(path.join(tmp, 'builtin.npy')), readNpy(path.join(tmp, 'user.npy'))]);
    expect(Array.from(user.data)).toEqual(Array.from(builtin.data));
    const bad = explain({ composite: { layerMap: { convolution: { rule: 'zplus' }, pooling: { rule: 'norm' } } } }, 'bad');
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/bad\.json: unknown key 'pooling' in composite\.layerMap/);
    expect(fs.existsSync(path.join(tmp, 'bad.npy'))).toBe(false);
  });
});
