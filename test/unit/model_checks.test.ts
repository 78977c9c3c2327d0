// The checks made in TypeScript around model calls, called directly (issue 29): the finiteness
// check of results and the target check of the model-based metrics. Through the public API each is
// masked by another check (the native input check refuses ±Inf inputs first; evaluate() checks the
// targets before any metric does), so a mutant of either survived the API tests.
import { loadModel, LrpError, Tensor } from '../../lib';
import { checkFinite } from '../../lib/model_checks';
import { checkTargets } from '../../lib/metrics/targets';
import { modelPath } from '../helpers';

function failure(run: () => unknown): LrpError {
  try {
    run();
  } catch (error) {
    return error as LrpError;
  }
  throw new Error('expected an error');
}

describe('checkFinite', () => {
  // Mutant caught: counting only NaN (`Number.isNaN`) instead of every non-finite value.
  test.each([
    ['+Infinity', Infinity, 'Infinity'],
    ['-Infinity', -Infinity, '-Infinity'],
    ['NaN', NaN, 'NaN'],
  ])('a result holding %s is LRP_NOT_FINITE, naming the first one and its sample', (_, value, text) => {
    const t = new Tensor(Float32Array.from([1, 2, 3, 4, 5, value, 7, value]), [2, 4]);
    const error = failure(() => checkFinite(t, 'the model output', 'float32'));
    expect(error).toBeInstanceOf(LrpError);
    expect(error.code).toBe('LRP_NOT_FINITE');
    expect(error.message).toBe(`the model output has 2 non-finite value(s) (first: ${text} in sample 1): the model overflowed: check the input's scale`);
  });

  test('infinite relevance names the stabilizers; finite values pass', () => {
    const relevance = new Tensor(Float32Array.from([0, Infinity]), [1, 2]);
    expect(failure(() => checkFinite(relevance, 'the relevance', 'float32', { composite: 'epsilon-plus', stabilizer: 1e-9 })).message)
      .toMatch(/^the relevance has 1 non-finite value\(s\) \(first: Infinity in sample 0\): .*stabilizer\/epsilon in use: 1e-9, 0.000001/);
    expect(() => checkFinite(new Tensor(Float32Array.from([3.4e38, -3.4e38, 0]), [3]), 'x', 'float32')).not.toThrow();
  });
});

describe('checkTargets', () => {
  // Mutant caught: `t > classes` instead of `t >= classes` (target 10 of a 10-class model passing).
  test('a target equal to the number of classes is not a class index; the last class is', async () => {
    const model = await loadModel(modelPath('vgg'));
    const x = Tensor.zeros([2, 3, 32, 32]);
    await expect(checkTargets(model, [x], [1, 10])).rejects.toMatchObject({
      code: 'LRP_BAD_ARGUMENT', message: 'target 10 of sample 1 is not a class index (the model has 10 classes)',
    });
    await expect(checkTargets(model, [x], [9, 0])).resolves.toBe(10);
    await expect(checkTargets(model, [x], [-1, 0])).rejects.toMatchObject({ message: expect.stringContaining('target -1 of sample 0') });
    await expect(checkTargets(model, [x], [0.5, 0])).rejects.toMatchObject({ message: expect.stringContaining('target 0.5 of sample 0') });
    await expect(checkTargets(model, [x], [0])).rejects.toMatchObject({ message: 'got 1 targets for a batch of 2' });
    model.dispose();
  });
});
