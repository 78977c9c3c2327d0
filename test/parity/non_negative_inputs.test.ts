// The sign-split rules (zplus, gamma) skip a layer's x⁻ terms when the graph guarantees x ≥ 0
// (native/core/non_negative.cpp): after a ReLU, through max pooling. A scalar shift, a product with
// a negative scalar or a concatenation with a signed tensor gives no such guarantee, and there the
// x⁻ terms count. test/fixture_makers/make_sign_inputs_model.py: a net with each of these before a
// convolution, after a normalization inside the model and shifts and scales by stored tensors and
// numbers, and zennit 0.5.1's attributions of it.
import * as fs from 'fs';
import path from 'path';
import { loadModel, readNpy } from '../../lib';
import { maxAbsDiff, MODELS, modelPath, relativeL2, roundOff } from '../helpers';

const reference = JSON.parse(fs.readFileSync(path.join(MODELS, 'sign_inputs_net.json'), 'utf8')) as {
  target: number[]; float32VsFloat64: Record<string, number>;
};
const fixture = (suffix: string) => readNpy(path.join(MODELS, `sign_inputs_net.${suffix}.npy`));
const COMPOSITES = [
  { composite: 'epsilon-plus' as const },
  { composite: 'epsilon-gamma-box' as const, low: -3, high: 3 },
];

test('a normalization, a scale and shift by tensor constants, and numbers import as element-wise nodes', async () => {
  const model = await loadModel(modelPath('sign_inputs_net'));
  const [x, expected] = await Promise.all([fixture('input0'), fixture('output')]);
  expect(maxAbsDiff((await model.forward([x])).data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
  // (x − mean) / std with buffers, · scale + shift with two tensor constants of one scope, then
  // (· − 0.1) / 2 · tensor(1.5): sub and div become add and mul by the negated or inverted operand.
  const head = model.layers.slice(0, model.layers.findIndex((l) => l.op === 'conv2d'));
  expect(head.map((l) => [l.op, l.category, l.inputs.length, Object.keys(l.params ?? {}), l.attrs.scalar])).toEqual([
    ['add', 'elementwise', 1, ['operand'], undefined],
    ['mul', 'elementwise', 1, ['operand'], undefined],
    ['mul', 'elementwise', 1, ['operand'], undefined],
    ['add', 'elementwise', 1, ['operand'], undefined],
    ['add', 'elementwise', 1, [], -0.1],
    ['mul', 'elementwise', 1, [], 0.5],
    ['mul', 'elementwise', 1, [], 1.5],
  ]);
  model.dispose();
});

test('the fixture keeps its signed inputs: a scalar add, a scalar product and a concatenation feed convolutions', async () => {
  const model = await loadModel(modelPath('sign_inputs_net'));
  const producers = new Map(model.layers.map((l) => [l.name, l]));
  const inputOf = (conv: string) => producers.get(model.layers.find((l) => l.name === conv)!.inputs[0])!;
  expect(inputOf('conv1').op).toBe('max_pool2d');
  expect([inputOf('conv2').op, inputOf('conv2').inputs.length]).toEqual(['add', 1]);
  expect(inputOf('conv3').op).toBe('cat');
  expect([inputOf('conv4').op, inputOf('conv4').inputs.length]).toEqual(['mul', 1]);
  model.dispose();
});

test.each(COMPOSITES)('$composite equals zennit on inputs of every sign', async (config) => {
  const model = await loadModel(modelPath('sign_inputs_net'));
  const [x, expected] = await Promise.all([fixture('input0'), fixture(config.composite)]);
  const tolerance = 5 * reference.float32VsFloat64[config.composite] + 1e-6;
  const { relevance } = await model.explain(x, { target: reference.target, ...config });
  expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(tolerance);
  const [many] = await model.explainMany(x, reference.target, [config]);
  expect(relativeL2(many.relevance.data, expected.data)).toBeLessThanOrEqual(tolerance);
  model.dispose();
});
