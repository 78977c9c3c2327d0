// Targets as configs give them (a class, one per sample, argmax) turned into one class per sample
// (lib/metrics/targets.ts), as `lrp-node metrics` and evaluate/search configs resolve them.
import { Tensor } from '../../lib';
import { classTargets } from '../../lib/metrics/targets';

describe('classTargets', () => {
  const logits = new Tensor(Float32Array.from([0, 2, 1, /**/ 5, -1, 5, /**/ -3, -2, -1]), [3, 3]);
  let forwards = 0;
  const forward = async () => {
    forwards++;
    return logits;
  };

  test('argmax: each sample\'s largest logit (the first of equal ones), from one forward', async () => {
    expect(await classTargets('argmax', 3, forward)).toEqual([1, 0, 2]);
    expect(forwards).toBe(1);
  });

  test('a class for the batch, or one per sample, without a forward', async () => {
    expect(await classTargets(4, 3, forward)).toEqual([4, 4, 4]);
    expect(await classTargets([2, 0], 3, forward)).toEqual([2, 0]);
    expect(forwards).toBe(1);
  });
});
