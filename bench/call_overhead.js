#!/usr/bin/env node
// Per-call cost on small models, where the hand-off between JavaScript and the compute thread
// matters: lrp-node's forward (a Promise settled from the compute thread) against PyTorch calling
// the same traced model (bench/call_overhead.py), in one run, at batch 8 and 32², and lrp-node's
// forward on a (1, 3, 8, 8) input, which is almost nothing but the hand-off.
//   node bench/call_overhead.js [--models resnet_basic,vgg] [--calls 500] [--threads 2]
'use strict';

const path = require('path');
const { spawnSync } = require('child_process');
const { parseArgs } = require('util');

const lrp = require('../dist');

const { values } = parseArgs({ options: { models: { type: 'string' }, calls: { type: 'string' }, threads: { type: 'string' } } });
const names = (values.models ?? 'resnet_basic,vgg').split(',');
const calls = Number(values.calls ?? 500);
const threads = Number(values.threads ?? 2);

async function perCall(fn, n) {
  for (let i = 0; i < 50; i++) await fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6 / n;
}

async function main() {
  lrp.threads(threads);
  console.log(`forward per call, batch 8, 32², ${threads} threads, ${calls} calls after 50 warm-up calls`);
  console.log('model          PyTorch ms  lrp-node ms  ratio   lrp-node, (1,3,8,8) input ms');
  for (const name of names) {
    const file = path.join(__dirname, '..', 'test', 'fixtures', 'models', `${name}.pt`);
    const py = spawnSync('/usr/bin/python3', [path.join(__dirname, 'call_overhead.py'), '--model', file, '--calls', String(calls),
      '--threads', String(threads)], { encoding: 'utf8' });
    if (py.status !== 0) throw new Error(`PyTorch run failed: ${py.stderr.trim().split('\n').pop()}`);
    const torchMs = JSON.parse(py.stdout.trim().split('\n').pop()).forwardMs;
    const model = await lrp.loadModel(file);
    const x = new lrp.Tensor(Float32Array.from({ length: 8 * 3 * 32 * 32 }, (_, i) => Math.sin(i)), [8, 3, 32, 32]);
    const tiny = new lrp.Tensor(Float32Array.from({ length: 3 * 8 * 8 }, (_, i) => Math.sin(i)), [1, 3, 8, 8]);
    const ours = await perCall(() => model.forward(x), calls);
    let handOff = NaN;
    try {
      handOff = await perCall(() => model.forward(tiny), calls);
    } catch {
      // a model whose layers need more than 8×8
    }
    console.log(`${name.padEnd(15)}${torchMs.toFixed(3).padStart(10)}${ours.toFixed(3).padStart(13)}${(torchMs / ours).toFixed(2).padStart(7)}×` +
      `${Number.isNaN(handOff) ? '   (needs a larger input)' : handOff.toFixed(3).padStart(12)}`);
    model.dispose();
  }
}

main().catch((error) => {
  console.error(`bench/call_overhead: ${error.message}`);
  process.exit(1);
});
