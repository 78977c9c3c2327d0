#!/usr/bin/env node
// Memory soak (issue: bounded memory). Loads a model, explains a batch at one of 11 input sizes,
// disposes the model, 5000 times; prints the resident set size (RSS) along the way and its ratio
// to the value after the first 100 iterations (target: ≤ 1.5). `--no-dispose` drops the models
// without dispose(), leaving them to the garbage collector (which is told their native size).
//   node bench/soak.js [--iterations 5000] [--model test/fixtures/models/vgg_bn.pt] [--no-dispose]
'use strict';

const path = require('path');
const { parseArgs } = require('util');
const lrp = require('..');

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '5000' },
    model: { type: 'string', default: path.join(__dirname, '..', 'test', 'fixtures', 'models', 'vgg_bn.pt') },
    'no-dispose': { type: 'boolean', default: false },
  },
});
const iterations = Number(values.iterations);
const sizes = [32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112];
const mb = () => process.memoryUsage().rss / 2 ** 20;

function input(size) {
  const t = lrp.Tensor.zeros([4, 3, size, size]);
  for (let i = 0; i < t.data.length; i++) t.data[i] = Math.sin(i * 0.37);
  return t;
}

(async () => {
  const inputs = sizes.map(input);
  let baseline = 0;
  let peak = 0;
  const started = Date.now();
  for (let k = 1; k <= iterations; k++) {
    const model = await lrp.loadModel(values.model);
    await model.explain(inputs[k % sizes.length], { target: 1, composite: 'epsilon-plus-flat', canonize: true });
    if (!values['no-dispose']) model.dispose();
    const rss = mb();
    if (k === 100) baseline = rss;
    if (k > 100) peak = Math.max(peak, rss);
    if (k === 100 || k % 1000 === 0) {
      console.log(`after ${k}: RSS ${rss.toFixed(0)} MB${baseline ? ` (${(rss / baseline).toFixed(2)}× the value after 100)` : ''}`);
    }
  }
  console.log(`${iterations} load/explain${values['no-dispose'] ? '' : '/dispose'} cycles in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
    `peak RSS after the first 100: ${peak.toFixed(0)} MB = ${(peak / baseline).toFixed(2)}× (target ≤ 1.5)`);
})();
