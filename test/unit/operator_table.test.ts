// The native operator table gives every layer a category (native/core/ops/op_table.h), which
// composites match layers by. Checked on every fixture family and a canonized graph: each category
// agrees with what the layer's operator and inputs say it is, and with the name-based predicates
// lib/explain/composites.ts used before the category existed (so matching by category keeps every
// composite's rule placement).
import * as fs from 'fs';
import path from 'path';
import { loadModel, readNpy, Tensor } from '../../lib';
import type { Layer } from '../../lib/model';
import { FAMILIES, maxAbsDiff, MODELS, modelPath, relativeL2, roundOff } from '../helpers';

const CASES = path.join(MODELS, '..', 'canonize');

// The category of each operator, written out independently of the native table.
function expectedCategory(layer: Layer): string {
  const byOp: Record<string, string> = {
    constant: 'constant', conv2d: 'convolution', linear: 'dense', batch_norm: 'batch-norm',
    relu: 'activation', silu: 'activation', sigmoid: 'activation', thresh_relu: 'thresh-relu', hardswish: 'activation',
    hardsigmoid: 'activation', hardtanh: 'activation', clamp: 'activation', chunk: 'reshape', select: 'reshape', slice: 'reshape',
    max_pool2d: 'max-pooling', avg_pool2d: 'average-pooling', adaptive_avg_pool2d: 'average-pooling', mean: 'average-pooling',
    sum: 'sum', cat: 'concat', flatten: 'reshape', reshape: 'reshape', unsqueeze: 'reshape', permute: 'reshape',
    transpose: 'reshape', expand: 'broadcast', repeat: 'broadcast', gelu: 'activation', layer_norm: 'layer-norm',
    softmax: 'softmax', log_softmax: 'log-softmax', matmul: 'attention-product',
  };
  if (layer.op === 'add') return layer.inputs.length === 2 ? 'sum' : 'elementwise';
  if (layer.op === 'mul') return layer.inputs.length === 2 ? 'product' : 'elementwise';
  return byOp[layer.op] ?? `no category for ${layer.op}`;
}

// lib/explain/composites.ts's name-based predicates before categories (activations, sums, average poolings).
const namePredicates = {
  activation: (l: Layer) => ['relu', 'silu', 'sigmoid'].includes(l.op),
  sum: (l: Layer) => (l.op === 'add' && l.inputs.length === 2) || l.op === 'sum',
  'average-pooling': (l: Layer) => ['avg_pool2d', 'adaptive_avg_pool2d', 'mean'].includes(l.op),
  convolution: (l: Layer) => l.op === 'conv2d',
  dense: (l: Layer) => l.op === 'linear',
  'batch-norm': (l: Layer) => l.op === 'batch_norm',
};

function checkLayers(layers: readonly Layer[]): void {
  for (const layer of layers) {
    expect([layer.name, layer.category]).toEqual([layer.name, expectedCategory(layer)]);
    for (const [category, matches] of Object.entries(namePredicates)) {
      expect([layer.name, category, layer.category === category]).toEqual([layer.name, category, matches(layer)]);
    }
  }
}

describe('operator table: layer categories', () => {
  test.each(FAMILIES)('%s: every layer has the category of its operator', async (name) => {
    const model = await loadModel(modelPath(name));
    checkLayers(model.layers);
    model.dispose();
  });

  test('a canonized graph: the ThreshReLU is a canonized activation, which no composite matches as an activation', async () => {
    const model = await loadModel(path.join(CASES, 'conv_bn_relu_conv_scales.pt'), { canonize: { order: 'relu-first' } });
    const thresh = model.layers.find((l) => l.op === 'thresh_relu');
    expect(thresh?.category).toBe('thresh-relu');
    checkLayers(model.layers);
    model.dispose();
  });

  test('a squeeze-excitation gate product is a product; a residual add is a sum', async () => {
    const model = await loadModel(modelPath('efficientnet'));
    const byName = new Map(model.layers.map((l) => [l.name, l]));
    expect(byName.get('features.1.0.block.1.mul')?.category).toBe('product');
    expect(byName.get('features.2.1.add')?.category).toBe('sum');
    expect(byName.get('features.1.0.block.1.scale_activation')?.category).toBe('activation');
    model.dispose();
  });
});

describe('operator table: an element-wise operator added in the table alone', () => {
  // hardswish is one line in native/core/ops/activation_ops.cpp (and its Op value); nothing else in
  // native/ or lib/ names it. test/fixture_makers/make_hardswish_model.py: Hardswish modules, the
  // first before any convolution, and zennit 0.5.1's EpsilonPlus attribution of the net.
  const reference = JSON.parse(fs.readFileSync(path.join(MODELS, 'hardswish_net.json'), 'utf8')) as {
    target: number[]; float32VsFloat64: number;
  };
  const fixture = (suffix: string) => readNpy(path.join(MODELS, `hardswish_net.${suffix}.npy`));

  test('it imports, runs like TorchScript, and is an activation', async () => {
    const model = await loadModel(modelPath('hardswish_net'));
    const acts = model.layers.filter((l) => l.op === 'hardswish');
    expect(acts.map((l) => [l.name, l.category])).toEqual([['act0', 'activation'], ['act1', 'activation'], ['act2', 'activation']]);
    const [x, expected] = await Promise.all([fixture('input0'), fixture('output')]);
    const y = await model.forward([x]);
    expect(maxAbsDiff(y.data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
    model.dispose();
  });

  test('input checks look through it to the convolution it feeds', async () => {
    const model = await loadModel(modelPath('hardswish_net'));
    const fourChannels = new Tensor(new Float32Array(2 * 4 * 12 * 12), [2, 4, 12, 12]);
    await expect(model.forward([fourChannels])).rejects.toThrow(/conv2d 'conv1' needs 3 channels in dimension 1/);
    model.dispose();
  });

  test('epsilon-plus passes relevance through it, as zennit does for an activation', async () => {
    const model = await loadModel(modelPath('hardswish_net'));
    const [x, expected] = await Promise.all([fixture('input0'), fixture('epsilon-plus')]);
    const tolerance = 5 * reference.float32VsFloat64 + 1e-6;
    const { relevance } = await model.explain(x, { target: reference.target, composite: 'epsilon-plus' });
    expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(tolerance);
    // The same with its gradient instead of pass (what a category other than activation would give)
    // is far off.
    const gradient = await model.explain(x, {
      target: reference.target, composite: 'epsilon-plus', rules: [{ layers: ['act0', 'act1', 'act2'], rule: 'gradient' }],
    });
    expect(relativeL2(gradient.relevance.data, expected.data)).toBeGreaterThan(100 * tolerance);
    model.dispose();
  });
});

describe('operator table: chunk, select, slice, clamp, relu6/hardtanh, hardsigmoid (issue 24)', () => {
  // test/fixture_makers/make_picking_ops_model.py: a net using each of them (chunk read through
  // prim::ListUnpack, slices with a step and a negative end, clamps with one or two bounds), traced
  // at batch 2 and checked at batch 3 against torch's float64 forward and input gradient.
  const OPS = path.join(MODELS, '..', 'ops');
  const reference = JSON.parse(fs.readFileSync(path.join(OPS, 'picking_ops.json'), 'utf8')) as {
    target: number[]; outputF32VsF64: number; gradientF32VsF64: number;
  };
  const fixture = (suffix: string) => readNpy(path.join(OPS, `picking_ops.${suffix}.npy`));

  test('each imports as one node of its operator, with its attributes', async () => {
    const model = await loadModel(path.join(OPS, 'picking_ops.pt'));
    const ops = model.layers.map((l) => l.op);
    for (const op of ['chunk', 'select', 'slice', 'clamp', 'hardtanh', 'hardsigmoid']) expect(ops).toContain(op);
    expect(model.layers.filter((l) => l.op === 'chunk').map((l) => [l.attrs.chunks, l.attrs.dim, l.attrs.index]))
      .toEqual([[3, 1, 0], [3, 1, 1], [3, 1, 2]]);
    // relu6 is hardtanh(0, 6); hardtanh(c, -1, 2) keeps its bounds
    expect(model.layers.filter((l) => l.op === 'hardtanh').map((l) => [l.attrs.min, l.attrs.max])).toEqual([[0, 6], [-1, 2]]);
    expect(model.layers.filter((l) => l.op === 'clamp').map((l) => [l.attrs.min, l.attrs.max]))
      .toEqual([[-0.5, Infinity], [-Infinity, 0.7], [0.5, 5]]);
    for (const layer of model.layers) expect([layer.name, layer.category]).toEqual([layer.name, expectedCategory(layer)]);
    model.dispose();
  });

  test('forward and gradient match torch at another batch size', async () => {
    const model = await loadModel(path.join(OPS, 'picking_ops.pt'));
    const [x, output, gradient] = await Promise.all([fixture('input0'), fixture('output'), fixture('gradient')]);
    expect(x.shape[0]).toBe(3);
    const y = await model.forward(x);
    expect(y.shape).toEqual(output.shape);
    expect(relativeL2(y.data, output.data)).toBeLessThanOrEqual(5 * reference.outputF32VsF64 + 1e-6);
    const { relevance } = await model.explain(x, { target: reference.target, method: 'gradient' });
    expect(relativeL2(relevance.data, gradient.data)).toBeLessThanOrEqual(5 * reference.gradientF32VsF64 + 1e-6);
    model.dispose();
  });
});
