import * as path from 'path';

import { loadModel, Tensor } from '../../lib';
import { fixtureInputs, maxAbsDiff, MODELS, modelPath, rejection, roundOff } from '../helpers';

describe('bad input is one clear error with a stable code', () => {
  test('missing model file', async () => {
    const error = await rejection(loadModel(path.join(MODELS, 'no_such_model.pt')));
    expect(error.code).toBe('LRP_FILE_NOT_FOUND');
    expect(error.message).toContain('no_such_model.pt');
  });

  test('a file that is not TorchScript', async () => {
    const error = await rejection(loadModel(path.join(MODELS, 'not_torchscript.pt')));
    expect(error.code).toBe('LRP_LOAD_FAILED');
    expect(error.message).toMatch(/not a TorchScript file/);
  });

  test('an unknown operator names the operator and the module path', async () => {
    const error = await rejection(loadModel(path.join(MODELS, 'unknown_op.pt')));
    expect(error.code).toBe('LRP_UNSUPPORTED_OP');
    expect(error.message).toBe("unsupported operator aten::tanh in 'body.1'");
  });

  test('a difference of two computed tensors and a conversion to an integer type are refused by name', async () => {
    // test/fixture_makers/make_sign_inputs_model.py; a sub or div by a number or stored tensor imports.
    const sub = await rejection(loadModel(path.join(MODELS, 'sub_of_computed.pt')));
    expect([sub.code, sub.message]).toEqual(['LRP_UNSUPPORTED_OP',
      'unsupported operator aten::sub of two computed tensors, or with the stored operand first in the top-level forward']);
    const to = await rejection(loadModel(path.join(MODELS, 'to_integer.pt')));
    expect([to.code, to.message]).toEqual(['LRP_UNSUPPORTED_OP', 'unsupported operator aten::to to Int in the top-level forward']);
  });

  test('unknown device and dtype', async () => {
    expect((await rejection(loadModel(modelPath('vgg'), { device: 'tpu' as never }))).code).toBe('LRP_BAD_ARGUMENT');
    expect((await rejection(loadModel(modelPath('vgg'), { dtype: 'int8' as never }))).code).toBe('LRP_BAD_ARGUMENT');
  });

  test('a CUDA device that cannot be used is LRP_DEVICE_UNAVAILABLE, not a silent CPU run', async () => {
    // No machine has 100 GPUs: cuda:99 is unavailable everywhere. Plain `cuda` is unavailable where
    // the binary has no CUDA backend (then `backends()` lacks it, and the libtorch that
    // scripts/find-libtorch.js finds has no CUDA either); where it has one, the model runs there and
    // equals the CPU forward. Mutant caught: loadModel passing 'cpu' to the addon whatever was asked.
    const far = await rejection(loadModel(modelPath('vgg'), { device: 'cuda:99' }));
    expect([far.code, far.message]).toEqual(['LRP_DEVICE_UNAVAILABLE', expect.stringContaining("'cuda:99'")]);
    const { backends, versions } = await import('../../lib');
    if (!backends().includes('cuda')) {
      expect(versions().cuda && require('../../scripts/find-libtorch.js').findLibtorch().cuda).toBeFalsy();
      const error = await rejection(loadModel(modelPath('vgg'), { device: 'cuda' }));
      expect([error.code, error.message]).toEqual(['LRP_DEVICE_UNAVAILABLE', expect.stringContaining("'cuda'")]);
    } else {
      const [x] = await fixtureInputs('vgg');
      const gpu = await (await loadModel(modelPath('vgg'), { device: 'cuda' })).forward(x);
      const cpu = await (await loadModel(modelPath('vgg'))).forward(x);
      expect(maxAbsDiff(gpu.data, cpu.data)).toBeLessThanOrEqual(roundOff(cpu.data));
    }
  });

  test('wrong input rank names the input and the layer', async () => {
    const model = await loadModel(modelPath('vgg'));
    const error = await rejection(model.forward(Tensor.zeros([3, 32, 32])));
    expect(error.code).toBe('LRP_BAD_SHAPE');
    expect(error.message).toBe(
      "input 0 ('x') has shape [3,32,32] (rank 3), but conv2d 'features.0' needs rank 4 (N, C, H, W)",
    );
  });

  test('an input that is not a tensor (a bare Float32Array, null, a number array) is named, not an internal error', async () => {
    const model = await loadModel(modelPath('relation_net'));
    const [image] = await fixtureInputs('relation_net');
    const cases: [unknown, string][] = [
      [[image, new Float32Array(6)], 'input 1 must be a Tensor or {data: Float32Array, shape: number[]}, got Float32Array'],
      [null, 'input 0 must be a Tensor or {data: Float32Array, shape: number[]}, got null'],
      [[{ data: [0, 1], shape: [1, 2] }], 'input 0 must be a Tensor or {data: Float32Array, shape: number[]}, got an object with keys data, shape'],
    ];
    for (const [inputs, message] of cases) {
      for (const call of [model.forward(inputs as Tensor), model.explain(inputs as Tensor, { target: 0 })]) {
        const error = await rejection(call);
        expect(error.code).toBe('LRP_BAD_ARGUMENT');
        expect(error.message).toBe(message);
      }
    }
  });

  test('wrong channel count', async () => {
    const model = await loadModel(modelPath('resnet_basic'));
    const error = await rejection(model.forward(Tensor.zeros([1, 4, 32, 32])));
    expect(error.code).toBe('LRP_BAD_SHAPE');
    expect(error.message).toContain("conv2d 'conv1' needs 3 channels in dimension 1");
  });

  test('a wrong size deep in the graph is reported at the layer where it fails', async () => {
    // The question passes unsqueeze/repeat/cat before its first linear layer (g.0).
    const model = await loadModel(modelPath('relation_net'));
    const [image] = await fixtureInputs('relation_net');
    const error = await rejection(model.forward([image, Tensor.zeros([2, 5])]));
    expect(error.code).toBe('LRP_BAD_SHAPE');
    expect(error.message).toMatch(/^at layer 'g\.0' \(linear\): .*shapes cannot be multiplied/);
  });

  test('a spatial size the network cannot take is reported at the layer where it fails', async () => {
    const model = await loadModel(modelPath('vgg'));
    const error = await rejection(model.forward(Tensor.zeros([1, 3, 4, 4])));
    expect(error.code).toBe('LRP_BAD_SHAPE');
    expect(error.message).toMatch(/^at layer 'features\.\d+' \(max_pool2d\): /);
  });

  test('NaN and infinity in an input', async () => {
    const model = await loadModel(modelPath('vgg'));
    const x = Tensor.zeros([1, 3, 32, 32]);
    x.data[17] = NaN;
    const error = await rejection(model.forward(x));
    expect(error.code).toBe('LRP_BAD_INPUT');
    expect(error.message).toBe("input 0 ('x') contains NaN values (first at flat index 17)");
    x.data[17] = Infinity;
    expect((await rejection(model.forward(x))).message).toContain('infinite');
  });

  test('wrong number of inputs', async () => {
    const model = await loadModel(modelPath('relation_net'));
    const [image] = await fixtureInputs('relation_net');
    const error = await rejection(model.forward([image]));
    expect(error.code).toBe('LRP_BAD_INPUT');
    expect(error.message).toBe('the model takes 2 input(s), got 1');
  });

  test('data length not matching the shape', async () => {
    const model = await loadModel(modelPath('vgg'));
    const error = await rejection(model.forward({ data: new Float32Array(10), shape: [1, 3, 32, 32] }));
    expect(error.code).toBe('LRP_BAD_SHAPE');
  });
});
