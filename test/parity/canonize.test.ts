// Canonization (issue 3): on every fixture family and on one tiny graph per fold pattern, the
// canonized model computes the original function and keeps no batch norm a pass can fold.
//
// Tolerances. float32: roundOff() = 1e-5·max(1, max|y|): folding re-associates one multiply-add per
// layer (s·(W·x) becomes (s·W)·x), an error of a few float32 ulps (eps = 1.2e-7) per layer, over up to
// ~20 layers and BN scales up to ~3. float64: folded parameters are kept in float64, so a float64 plan
// computes the same function up to float64 round-off; both outputs are then rounded to float32, so
// they may differ by at most one float32 ulp (ulpRatio ≤ 1). An error in a fold (a wrong bias map
// border, a flipped threshold, BN's eps left in place) shows at 1e-5 or more and fails both.
import * as fs from 'fs';
import * as path from 'path';

import { loadModel, LrpError, Model, readNpy, Tensor } from '../../lib';
import { FAMILIES, fixtureInputs, fixtureOutput, maxAbs, maxAbsDiff, modelPath, roundOff, ulpRatio } from '../helpers';

const CASES = path.join(__dirname, '..', 'fixtures', 'canonize');
const caseManifest = JSON.parse(fs.readFileSync(path.join(CASES, 'manifest.json'), 'utf8')) as {
  cases: Record<string, { inputs: number[][]; expected: Record<string, Record<string, string | null>>; secondSize: boolean }>;
  random: Record<string, { inputs: number[][]; batchNorms: number }>;
};
const ORDERS = ['left-first', 'relu-first'] as const;

async function caseInputs(name: string, prefix = ''): Promise<Tensor[]> {
  const inputs: Tensor[] = [];
  for (let k = 0; fs.existsSync(path.join(CASES, `${name}${prefix}.input${k}.npy`)); k++) {
    inputs.push(await readNpy(path.join(CASES, `${name}${prefix}.input${k}.npy`)));
  }
  return inputs;
}

async function expectSameFunction(original: Model, canonized: Model, inputs: Tensor[], reference: Tensor) {
  const y = await canonized.forward(inputs);
  expect(y.shape).toEqual(reference.shape);
  expect(maxAbsDiff(y.data, reference.data)).toBeLessThanOrEqual(roundOff(reference.data));
  expect(maxAbsDiff((await original.forward(inputs)).data, reference.data)).toBeLessThanOrEqual(roundOff(reference.data));
}

async function expectExactInFloat64(file: string, order: (typeof ORDERS)[number], inputSets: Tensor[][]) {
  const original = await loadModel(file, { dtype: 'float64' });
  const canonized = await original.canonize({ order });
  for (const inputs of inputSets) {
    expect(ulpRatio((await original.forward(inputs)).data, (await canonized.forward(inputs)).data)).toBeLessThanOrEqual(1);
  }
}

describe.each(ORDERS)('canonize %s: fixture families', (order) => {
  test.each(FAMILIES)('%s: same function, no batch norm left', async (name) => {
    const original = await loadModel(modelPath(name));
    const before = original.counts.batch_norm;
    const canonized = await original.canonize({ order });
    const inputs = await fixtureInputs(name);
    await expectSameFunction(original, canonized, inputs, await fixtureOutput(name));
    expect(canonized.counts.batch_norm).toBe(0);
    expect(original.counts.batch_norm).toBe(before);
    expect(original.canonization).toBeNull();
    expect(canonized.canonization!.order).toBe(order);
    expect(canonized.canonization!.folds).toHaveLength(before);
    for (const fold of canonized.canonization!.folds) expect(fold.into.length).toBeGreaterThan(0);
    await expectExactInFloat64(modelPath(name), order, [inputs]);
  });
});

describe.each(ORDERS)('canonize %s: one tiny graph per pattern', (order) => {
  test.each(Object.keys(caseManifest.cases))('%s', async (name) => {
    const spec = caseManifest.cases[name];
    const file = path.join(CASES, `${name}.pt`);
    const original = await loadModel(file);
    const canonized = await original.canonize({ order });
    const inputs = await caseInputs(name);
    const sets = [inputs];
    await expectSameFunction(original, canonized, inputs, await readNpy(path.join(CASES, `${name}.output.npy`)));
    if (spec.secondSize) {
      const second = await caseInputs(name, '.size2');
      await expectSameFunction(original, canonized, second, await readNpy(path.join(CASES, `${name}.size2.output.npy`)));
      // Back at the first size: the per-size bias map cache must not mix sizes.
      await expectSameFunction(original, canonized, inputs, await readNpy(path.join(CASES, `${name}.output.npy`)));
      sets.push(second);
    }
    const passes: Record<string, string | null> = {};
    for (const fold of canonized.canonization!.folds) {
      passes[fold.batchNorm] = fold.pass;
      if (fold.pass === null) expect(fold.reason).toMatch(/\w+/);
    }
    expect(passes).toEqual(spec.expected[order]);
    const staying = Object.values(spec.expected[order]).filter((p) => p === null).length;
    expect(canonized.counts.batch_norm).toBe(staying);
    await expectExactInFloat64(file, order, sets);
  });
});

describe('canonize: random conv/BN/ReLU chains and DAGs (property)', () => {
  const names = Object.keys(caseManifest.random);
  test.each(names)('%s: both orders give the same function and fold every batch norm', async (name) => {
    const file = path.join(CASES, `${name}.pt`);
    const original = await loadModel(file);
    expect(original.counts.batch_norm).toBe(caseManifest.random[name].batchNorms);
    const inputs = await caseInputs(name);
    const reference = await readNpy(path.join(CASES, `${name}.output.npy`));
    for (const order of ORDERS) {
      const canonized = await original.canonize({ order });
      await expectSameFunction(original, canonized, inputs, reference);
      expect(canonized.counts.batch_norm).toBe(0);
      await expectExactInFloat64(file, order, [inputs]);
    }
  });
});

describe('canonize: what the canonized graph holds', () => {
  test('relu-first gives a padded conv a border bias map and a ThreshReLU with flipped and zero scales', async () => {
    const model = await loadModel(path.join(CASES, 'conv_bn_relu_conv_scales.pt'), { canonize: { order: 'relu-first' } });
    const thresh = model.layers.find((l) => l.op === 'thresh_relu')!;
    expect(thresh.params).toEqual({ threshold: [6], direction: [6] });
    const conv = model.layers.find((l) => l.name === '3')!;
    expect(conv.params.border_weight).toEqual([5, 6, 3, 3]);
    const left = await loadModel(path.join(CASES, 'conv_bn_relu_conv_scales.pt'), { canonize: true });
    expect(left.counts.thresh_relu ?? 0).toBe(0);
    expect(left.layers.find((l) => l.name === '3')!.params.border_weight).toBeUndefined();
  });

  test('an unpadded conv gets a plain bias, no map', async () => {
    const model = await loadModel(path.join(CASES, 'cat_bn_relu_avgpool_linear.pt'), { canonize: true });
    for (const layer of model.layers) expect(layer.params.border_weight).toBeUndefined();
  });

  test('a squeeze-excitation product is marked with its gate input', async () => {
    const model = await loadModel(modelPath('efficientnet'));
    const gates = model.layers.filter((l) => l.op === 'mul' && l.attrs.gate !== undefined);
    expect(gates.length).toBeGreaterThan(0);
    for (const mul of gates) {
      const gate = model.layers.find((l) => l.name === mul.inputs[mul.attrs.gate as number])!;
      expect(gate.op).toBe('sigmoid');
    }
  });

  test('a batch norm no pass can fold stays, with the reason for each pass', async () => {
    const model = await loadModel(path.join(CASES, 'bn_two_readers_stays.pt'), { canonize: true });
    const [fold] = model.canonization!.folds;
    expect(fold).toMatchObject({ batchNorm: 'norm', pass: null, into: [] });
    expect(fold.reason).toMatch(/into its producer: .*input/);
    expect(fold.reason).toMatch(/into its readers: .*sigmoid/);
    expect(fold.reason).toMatch(/through a ReLU/);
  });
});

describe('canonize: API', () => {
  test('loadModel canonize: true is left-first; an object picks the order', async () => {
    expect((await loadModel(modelPath('densenet'), { canonize: true })).canonization!.order).toBe('left-first');
    const relu = await loadModel(modelPath('densenet'), { canonize: { order: 'relu-first' } });
    expect(relu.canonization!.order).toBe('relu-first');
    expect(relu.counts.batch_norm).toBe(0);
    expect((await loadModel(modelPath('densenet'), { canonize: false })).canonization).toBeNull();
  });

  test('bad options are one clear error', async () => {
    const model = await loadModel(modelPath('vgg_bn'));
    await expect(model.canonize({ order: 'right-first' as never })).rejects.toThrow(/order must be left-first or relu-first/);
    await expect(loadModel(modelPath('vgg_bn'), { canonize: { sideways: 1 } as never })).rejects.toMatchObject({
      code: 'LRP_BAD_ARGUMENT',
      message: expect.stringMatching(/unknown key 'sideways'/),
    });
    await expect(loadModel(modelPath('vgg_bn'), { canonize: 'yes' as never })).rejects.toBeInstanceOf(LrpError);
  });

  test('explaining an already canonized model in the other order is one clear error', async () => {
    const left = await loadModel(modelPath('densenet'), { canonize: true });
    const [x] = await fixtureInputs('densenet');
    await expect(left.explain(x, { target: 1, composite: 'epsilon-plus', canonize: { order: 'relu-first' } }))
      .rejects.toThrow(/already canonized left-first; load it without canonize to explain it canonized relu-first/);
    // The same order is accepted, and gives what canonizing at explain time gives (mutant caught:
    // an already canonized model canonized again or explained uncanonized would differ; the old
    // `.resolves.toBeDefined()` passed on any result).
    const same = await left.explain(x, { target: 1, composite: 'epsilon-plus', canonize: true });
    const fresh = await (await loadModel(modelPath('densenet'))).explain(x, { target: 1, composite: 'epsilon-plus', canonize: true });
    const plain = await (await loadModel(modelPath('densenet'))).explain(x, { target: 1, composite: 'epsilon-plus' });
    expect(Array.from(same.relevance.data)).toEqual(Array.from(fresh.relevance.data));
    expect(maxAbsDiff(same.relevance.data, plain.relevance.data)).toBeGreaterThan(1e-3 * maxAbs(plain.relevance.data));
  });

  test('a canonized model can be canonized again (nothing left to fold)', async () => {
    const once = await loadModel(modelPath('resnet_basic'), { canonize: true });
    const twice = await once.canonize();
    expect(twice.canonization!.folds).toHaveLength(0);
    const inputs = await fixtureInputs('resnet_basic');
    expect(maxAbsDiff((await once.forward(inputs)).data, (await twice.forward(inputs)).data)).toBe(0);
  });
});

describe('canonize: bias maps per input size', () => {
  test('more input sizes than the per-layer cache holds stay exact', async () => {
    const file = path.join(CASES, 'two_sizes.pt');
    const original = await loadModel(file, { dtype: 'float64' });
    const canonized = await original.canonize();
    const sides = [[5, 7], [6, 6], [8, 11], [9, 15], [12, 12], [13, 4], [16, 9], [7, 20], [10, 10], [5, 7], [12, 12]];
    for (const [h, w] of sides) {
      const x = new Tensor(Float32Array.from({ length: 3 * 3 * h * w }, (_, i) => Math.cos(i * 0.7)), [3, 3, h, w]);
      expect(ulpRatio((await original.forward(x)).data, (await canonized.forward(x)).data)).toBeLessThanOrEqual(1);
    }
  });
});

describe('canonize: assumptions are checked', () => {
  test('an input taken as (N, features) for a fold is checked at run time', async () => {
    const file = path.join(CASES, 'linear_bn1d.pt');
    // (2, 7, 5): the first linear maps the last axis, BatchNorm1d would normalize axis 1 (7 rows),
    // which is not the axis the fold scaled: the canonized model must refuse, not compute garbage.
    const x = new Tensor(Float32Array.from({ length: 70 }, (_, i) => Math.sin(i)), [2, 7, 5]);
    const canonized = await loadModel(file, { canonize: true });
    await expect(canonized.forward(x)).rejects.toMatchObject({
      code: 'LRP_BAD_SHAPE',
      message: expect.stringMatching(/input 0 \('x'\) has shape \[2,7,5\] \(rank 3\).*needs rank 2/),
    });
  });

  test('a model with no batch norm to fold assumes nothing: a 3-d input into a linear layer still runs', async () => {
    // Linear layers on (N, 3, 6) tokens, layer norm, attention products: nothing to fold.
    const file = path.join(__dirname, '..', 'fixtures', 'models', 'onnx_transformer_ops.pt');
    const x = new Tensor(Float32Array.from({ length: 36 }, (_, i) => Math.sin(i)), [2, 3, 6]);
    const original = await loadModel(file);
    const canonized = await loadModel(file, { canonize: true });
    expect(canonized.canonization?.folds).toEqual([]);
    expect(Array.from((await canonized.forward(x)).data)).toEqual(Array.from((await original.forward(x)).data));
  });
});
