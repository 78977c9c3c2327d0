// Model-free metrics against Quantus v0.6.0 (bench/fixtures/make_quantus_references.py): to 1e-6,
// as issue 4 asks; the edge cases METRICS.md defines where Quantus leaves them open.
import * as fs from 'fs';
import * as path from 'path';

import { metrics, readNpy, Tensor } from '../lib';

const QUANTUS = path.join(__dirname, 'fixtures', 'quantus');
const reference = JSON.parse(fs.readFileSync(path.join(QUANTUS, 'scores.json'), 'utf8')) as { scores: Record<string, number[]> };

describe('model-free metrics equal Quantus v0.6.0', () => {
  test.each(Object.keys(reference.scores))('%s', async (key) => {
    const [name, pool] = key.split('.') as ['sparseness' | 'complexity' | 'rra' | 'rma', never];
    const attributions = await readNpy(path.join(QUANTUS, 'attributions.npy'));
    const masks = await readNpy(path.join(QUANTUS, 'masks.npy'));
    const scores = await metrics[name]({ attributions, masks, pool });
    expect(scores).toHaveLength(reference.scores[key].length);
    reference.scores[key].forEach((expected, i) => expect(Math.abs(scores[i] - expected)).toBeLessThanOrEqual(1e-6));
  });
});

describe('metric edge cases (METRICS.md)', () => {
  const zero = new Tensor(new Float32Array(2 * 3 * 4 * 4), [2, 3, 4, 4]);
  const someMask = metrics.boxesToMasks([[[0, 0, 2, 2]], [[1, 1, 4, 3]]], 4, 4);

  test('an all-zero attribution gives NaN for every model-free metric', async () => {
    for (const fn of [metrics.sparseness, metrics.complexity]) expect(Array.from(await fn({ attributions: zero }))).toEqual([NaN, NaN]);
    for (const fn of [metrics.rra, metrics.rma]) expect(Array.from(await fn({ attributions: zero, masks: someMask }))).toEqual([NaN, NaN]);
  });

  test('an empty mask gives NaN; a full mask gives rma 1 and rra 1', async () => {
    const a = new Tensor(Float32Array.from({ length: 2 * 16 }, (_, i) => Math.sin(i) + 2), [2, 1, 4, 4]);
    const masks = metrics.boxesToMasks([[], [[0, 0, 4, 4]]], 4, 4);
    expect(Array.from(await metrics.rra({ attributions: a, masks }))).toEqual([NaN, 1]);
    const rma = await metrics.rma({ attributions: a, masks });
    expect(rma[0]).toBeNaN();
    expect(rma[1]).toBeCloseTo(1, 12);
  });

  test('boxes become masks; a mask of the wrong shape is one clear error', async () => {
    expect(Array.from(someMask.data.subarray(0, 16))).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const a = new Tensor(new Float32Array(2 * 16).fill(1), [2, 1, 4, 4]);
    const wrong = new Tensor(new Float32Array(2 * 9), [2, 1, 3, 3]);
    await expect(metrics.rra({ attributions: a, masks: wrong })).rejects.toThrow(/masks must be \(2, 1, 4, 4\)/);
  });
});
