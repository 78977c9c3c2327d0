import { loadModel } from '../../lib';
import { FAMILIES, fixtureInputs, fixtureOutput, maxAbsDiff, modelPath, repeatBatch, roundOff } from '../helpers';

describe('forward of every fixture family equals TorchScript', () => {
  test('the fixture set covers every family of the foundation issue', () => {
    expect(FAMILIES.sort()).toEqual(
      ['densenet', 'efficientnet', 'relation_net', 'resnet_basic', 'resnet_bottleneck', 'vgg', 'vgg_bn'].sort(),
    );
  });

  test.each(FAMILIES)('%s: float32 forward within round-off', async (name) => {
    const model = await loadModel(modelPath(name));
    const expected = await fixtureOutput(name);
    const output = await model.forward(await fixtureInputs(name));
    expect(output.shape).toEqual(expected.shape);
    expect(maxAbsDiff(output.data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
  });

  test.each(FAMILIES)('%s: runs at another batch size than it was traced with', async (name) => {
    const model = await loadModel(modelPath(name));
    const expected = await fixtureOutput(name);
    const output = await model.forward((await fixtureInputs(name)).map((x) => repeatBatch(x, 3)));
    expect(output.shape).toEqual([expected.shape[0] * 3, ...expected.shape.slice(1)]);
    const tripled = repeatBatch(expected, 3);
    expect(maxAbsDiff(output.data, tripled.data)).toBeLessThanOrEqual(roundOff(expected.data));
  });

  test.each(['vgg_bn', 'resnet_bottleneck', 'relation_net'])('%s: float64 plan agrees with the float32 reference', async (name) => {
    const model = await loadModel(modelPath(name), { dtype: 'float64' });
    expect(model.dtype).toBe('float64');
    const expected = await fixtureOutput(name);
    const output = await model.forward(await fixtureInputs(name));
    // The reference is float32: the difference is the reference's own round-off.
    expect(maxAbsDiff(output.data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
  });

  test('traceShapes reports every layer output shape', async () => {
    const model = await loadModel(modelPath('resnet_basic'));
    const shapes = await model.traceShapes(await fixtureInputs('resnet_basic'));
    expect(shapes['conv1']).toEqual([2, 8, 16, 16]);
    expect(shapes['maxpool']).toEqual([2, 8, 8, 8]);
    expect(shapes['fc']).toEqual([2, 10]);
  });
});
