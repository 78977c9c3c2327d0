#!/usr/bin/env node
// lrp-node vs zennit 0.5.1, in one run on this machine with the same threads, model, input and
// targets: EpsilonPlusFlat with canonization at batch 8 on torchvision ResNet-18 and VGG-16-BN
// (224×224). Prints images/s of each, their ratio, and each one's explain time over its own
// forward time. Needs bench/models/ (test/fixture_makers/make_bench_models.py) and zennit's source
// (ZENNIT_SRC, see bench/zennit_explain.py).
//   node bench/explain.js [--models resnet18,vgg16_bn] [--repeats 3] [--threads N]
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseArgs } = require('util');

const lrp = require('../dist');

const root = path.join(__dirname, '..');
const { values } = parseArgs({ options: { models: { type: 'string' }, repeats: { type: 'string' }, threads: { type: 'string' } } });
const names = (values.models ?? 'resnet18,vgg16_bn').split(',');
const repeats = Number(values.repeats ?? 3);
const threads = Number(values.threads ?? os.cpus().length);
const batch = 8;

function seededImage() {
  const data = new Float32Array(batch * 3 * 224 * 224);
  let s = 7;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = (s / 1073741824 - 1) * 1.5;
  }
  return new lrp.Tensor(data, [batch, 3, 224, 224]);
}

async function median(fn) {
  await fn();
  const times = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

async function main() {
  lrp.threads(threads);
  const x = seededImage();
  const inputFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-bench-')), 'x.npy');
  await lrp.writeNpy(inputFile, x);
  const targets = Array.from({ length: batch }, (_, i) => i % 1000);
  console.log(`EpsilonPlusFlat + canonization, batch ${batch}, 224², ${threads} threads, median of ${repeats}`);
  console.log('model       zennit img/s  lrp-node img/s  ratio   zennit explain/forward  lrp-node explain/forward');
  for (const name of names) {
    const file = path.join(root, 'bench', 'models', `${name}.pt`);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run /usr/bin/python3 test/fixture_makers/make_bench_models.py`);
    const py = spawnSync('/usr/bin/python3', [path.join(__dirname, 'zennit_explain.py'), '--model', name, '--input', inputFile,
      '--repeats', String(repeats), '--threads', String(threads)], { encoding: 'utf8' });
    if (py.status !== 0) throw new Error(`zennit run failed: ${py.stderr.trim().split('\n').pop()}`);
    const zennit = JSON.parse(py.stdout.trim().split('\n').pop());
    const model = await lrp.loadModel(file, { canonize: true });
    const forwardMs = await median(() => model.forward(x));
    const explainMs = await median(() => model.explain(x, { target: targets, composite: 'epsilon-plus-flat' }));
    const zennitRate = (batch * 1000) / zennit.explainMs;
    const ourRate = (batch * 1000) / explainMs;
    console.log(`${name.padEnd(12)}${zennitRate.toFixed(2).padStart(12)}${ourRate.toFixed(2).padStart(16)}${(ourRate / zennitRate).toFixed(2).padStart(7)}` +
      `${(zennit.explainMs / zennit.forwardMs).toFixed(2).padStart(22)}${(explainMs / forwardMs).toFixed(2).padStart(26)}`);
  }
}

main().catch((error) => {
  console.error(`bench/explain: ${error.message}`);
  process.exit(1);
});
