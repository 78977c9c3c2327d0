// model.batcher(): concurrent explain requests merged into one native call per batch.
// Equality with separate explains is to float32 round-off, not bit for bit: a batch of n runs the
// GEMMs and convolutions at batch n, whose blocking (and so summation order) differs from batch 1
// even on one thread (measured on the fixture VGG/ResNet: ≤ 3e-7 absolute, channels-last and NCHW).
import { ExplainConfig, LrpError, loadModel, Model, Tensor, threads } from '../../lib';
import { fixtureInputs, maxAbs, maxAbsDiff, modelPath, rejection } from '../helpers';

const CONFIG: ExplainConfig = { composite: 'epsilon-gamma-box', low: -3, high: 3 };
let model: Model;
let samples: Tensor[];

/** Sample k of the fixture batch, scaled so that every request differs. */
function sample(x: Tensor, k: number, scale: number): Tensor {
  const per = x.data.length / x.shape[0];
  return new Tensor(x.data.slice((k % x.shape[0]) * per, (k % x.shape[0] + 1) * per).map((v) => v * scale), [1, ...x.shape.slice(1)]);
}

beforeAll(async () => {
  threads(1);
  model = await loadModel(modelPath('vgg_bn'));
  const [x] = await fixtureInputs('vgg_bn');
  samples = Array.from({ length: 12 }, (_, k) => sample(x, k, 1 + 0.05 * k));
});
afterAll(() => model.dispose());

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(maxAbsDiff(actual, expected)).toBeLessThanOrEqual(1e-5 * maxAbs(expected));
}

test('concurrent requests become batches, and each gets what a separate explain gives (per-sample targets, argmax mixed in)', async () => {
  const batcher = model.batcher({ config: CONFIG, maxBatch: 4, maxDelayMs: 50 });
  const sizes: number[] = [];
  batcher.onBatch = (n) => sizes.push(n);
  const targets = samples.map((_, k) => (k % 3 === 0 ? 'argmax' as const : k % 10));
  const batched = await Promise.all(samples.map((x, k) => batcher.explain(x, { target: targets[k] })));
  expect(sizes).toEqual([4, 4, 4]);
  for (let k = 0; k < samples.length; k++) {
    const alone = await model.explain(samples[k], { ...CONFIG, target: targets[k] });
    expect(batched[k].relevance.shape).toEqual(alone.relevance.shape);
    expect(batched[k].output.shape).toEqual([1, 10]);
    expectClose(batched[k].relevance.data, alone.relevance.data);
    expectClose(batched[k].output.data, alone.output.data);
  }
});

test('a request with several samples keeps them together; one above maxBatch runs alone', async () => {
  const batcher = model.batcher({ config: CONFIG, maxBatch: 3, maxDelayMs: 20 });
  const sizes: number[] = [];
  batcher.onBatch = (n) => sizes.push(n);
  const [x] = await fixtureInputs('vgg_bn');
  const four = new Tensor(new Float32Array([...x.data, ...x.data]), [4, ...x.shape.slice(1)]);
  const [big, one] = await Promise.all([batcher.explain(four, { target: [1, 2, 3, 4] }), batcher.explain(samples[0], { target: 5 })]);
  expect(sizes).toEqual([4, 1]);
  const alone = await model.explain(four, { ...CONFIG, target: [1, 2, 3, 4] });
  expectClose(big.relevance.data, alone.relevance.data);
  expect(one.relevance.shape[0]).toBe(1);
});

test('inputs of other sizes go to separate batches', async () => {
  const batcher = model.batcher({ config: CONFIG, maxBatch: 8, maxDelayMs: 20 });
  const sizes: number[] = [];
  batcher.onBatch = (n) => sizes.push(n);
  const larger = new Tensor(new Float32Array(3 * 40 * 40).map((_, i) => Math.sin(i)), [1, 3, 40, 40]);
  const results = await Promise.all([batcher.explain(samples[0], { target: 1 }), batcher.explain(larger, { target: 1 }), batcher.explain(samples[1], { target: 2 })]);
  expect(sizes.sort()).toEqual([1, 2]);
  expect(results[1].relevance.shape).toEqual([1, 3, 40, 40]);
  expectClose(results[1].relevance.data, (await model.explain(larger, { ...CONFIG, target: 1 })).relevance.data);
});

test('a bad request is rejected alone: its batch-mates get their explanations', async () => {
  const batcher = model.batcher({ config: CONFIG, maxBatch: 8, maxDelayMs: 20 });
  const nan = new Tensor(samples[2].data.slice(), samples[2].shape);
  nan.data[7] = NaN;
  const settled = await Promise.allSettled([
    batcher.explain(samples[0], { target: 1 }),
    batcher.explain(nan, { target: 1 }),
    batcher.explain(samples[1], { target: 99 }),  // above the 10 classes: fails the merged call
    batcher.explain(samples[3], { target: 2 }),
  ]);
  expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  expect(((settled[1] as PromiseRejectedResult).reason as LrpError).code).toBe('LRP_BAD_INPUT');
  expect(((settled[2] as PromiseRejectedResult).reason as LrpError).message).toMatch(/99/);
  const alone = await model.explain(samples[3], { ...CONFIG, target: 2 });
  expectClose((settled[3] as PromiseFulfilledResult<{ relevance: Tensor }>).value.relevance.data, alone.relevance.data);
});

test('a full queue rejects at once with LRP_QUEUE_FULL; the queued requests still finish', async () => {
  const batcher = model.batcher({ config: CONFIG, maxBatch: 1, maxDelayMs: 0, maxQueue: 2 });
  // With maxBatch 1 the first request runs at once; two more may wait; the fourth is refused.
  const first = batcher.explain(samples[0], { target: 1 });
  const second = batcher.explain(samples[1], { target: 1 });
  const third = batcher.explain(samples[2], { target: 1 });
  const refused = await rejection(batcher.explain(samples[3], { target: 1 }));
  expect(refused.code).toBe('LRP_QUEUE_FULL');
  await Promise.all([first, second, third]);
  await batcher.drained();
  expect(batcher.stats).toEqual({ queued: 0, running: 0 });
});

test('options are checked: unknown keys, a maxBatch of 0, a missing target', async () => {
  expect(() => model.batcher({ config: CONFIG, maxBatchSize: 4 } as never)).toThrow(/unknown key 'maxBatchSize'/);
  expect(() => model.batcher({ config: CONFIG, maxBatch: 0 })).toThrow(/maxBatch/);
  expect(() => model.batcher({ config: { composite: 'epsilon-plus', gama: 1 } as never })).toThrow(/gama/);
  const batcher = model.batcher({ config: CONFIG });
  expect((await rejection(batcher.explain(samples[0], {} as never))).message).toMatch(/target/);
});
