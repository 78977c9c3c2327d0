import * as path from 'path';
import { Worker } from 'worker_threads';

import { loadModel, Tensor } from '../lib';
import { fixtureInputs, fixtureOutput, maxAbsDiff, modelPath, REPO, roundOff, ticksWhile } from './helpers';

function randomInput(shape: number[], seed: number): Tensor {
  const t = Tensor.zeros(shape);
  let state = seed;
  for (let i = 0; i < t.data.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    t.data[i] = state / 2147483648 - 0.5;
  }
  return t;
}

describe('native work runs off the event loop', () => {
  test('the event loop keeps ticking during a long forward', async () => {
    // Counts event-loop iterations (setImmediate runs once per iteration, in the check phase) while
    // the forward is pending; no clock is read, so a faster machine cannot fail it. A forward that
    // ran on the JS thread (mutant: the binding's Promise worker doing its work in the constructor
    // and resolving at once) settles before the loop turns once, i.e. 0 ticks; work on the libuv
    // pool lets the loop turn many times (thousands here) before the completion arrives.
    const model = await loadModel(modelPath('vgg_bn'));
    const x = randomInput([64, 3, 224, 224], 1);
    const { value: y, ticks } = await ticksWhile(model.forward(x));
    expect(y.shape).toEqual([64, 10]);
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  test('many concurrent forwards on one model give the same results as sequential ones', async () => {
    const model = await loadModel(modelPath('resnet_bottleneck'));
    const inputs = Array.from({ length: 24 }, (_, k) => randomInput([1 + (k % 3), 3, 32, 32], k + 7));
    const sequential: Tensor[] = [];
    for (const x of inputs) sequential.push(await model.forward(x));
    const concurrent = await Promise.all(inputs.map((x) => model.forward(x)));
    concurrent.forEach((y, k) => {
      expect(y.shape).toEqual(sequential[k].shape);
      expect(maxAbsDiff(y.data, sequential[k].data)).toBe(0);
    });
  });

  test('the addon loads and runs inside worker_threads', async () => {
    const expected = await fixtureOutput('densenet');
    const [x] = await fixtureInputs('densenet');
    const source = `
      const { parentPort, workerData } = require('worker_threads');
      const lrp = require(${JSON.stringify(path.join(REPO, 'dist', 'index.js'))});
      lrp.loadModel(workerData.model)
        .then((m) => m.forward({ data: workerData.data, shape: workerData.shape }))
        .then((y) => parentPort.postMessage({ data: y.data, shape: y.shape }), (e) => parentPort.postMessage({ error: e.message }));`;
    const run = () =>
      new Promise<{ data: Float32Array; shape: number[]; error?: string }>((resolve, reject) => {
        const worker = new Worker(source, { eval: true, workerData: { model: modelPath('densenet'), data: x.data, shape: x.shape } });
        worker.once('message', (m) => {
          resolve(m);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    const results = await Promise.all([run(), run()]);
    for (const result of results) {
      expect(result.error).toBeUndefined();
      expect(result.shape).toEqual(expected.shape);
      expect(maxAbsDiff(result.data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
    }
  });
});
