import * as path from 'path';
import { Worker } from 'worker_threads';

import { loadModel, Tensor } from '../../lib';
import { fixtureInputs, fixtureOutput, maxAbsDiff, modelPath, REPO, pendingBeforeLoopTurns, roundOff } from '../helpers';

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
  test('a forward returns at once and completes through the event loop', async () => {
    // A forward whose work ran on the JS thread (mutant: the binding's Promise worker doing its
    // work in the constructor and resolving at once) is settled once the microtasks have run; work
    // on another thread can only complete through a later turn of the event loop, so the promise
    // is pending then, however loaded the machine (no clock read, no count of loop turns).
    const model = await loadModel(modelPath('vgg_bn'));
    const x = randomInput([8, 3, 64, 64], 1);
    const pending = model.forward(x);
    expect(await pendingBeforeLoopTurns(pending)).toBe(true);
    expect((await pending).shape).toEqual([8, 10]);
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
