#!/usr/bin/env node
// lrp-node vs zennit 0.5.1, in one run on this machine with the same threads, model, input and
// targets: EpsilonPlusFlat (and EpsilonGammaBox, low −3, high 3) with canonization at batch 8 on
// torchvision ResNet-18 and VGG-16-BN (224×224). Prints images/s of each, their ratio, each one's
// explain time over its own forward time, and where lrp-node's time goes (bench/profile_summary.js).
// Needs bench/models/ (test/fixture_makers/make_bench_models.py) and zennit's source (ZENNIT_SRC,
// see bench/zennit_explain.py).
//   node bench/explain.js [--models resnet18,vgg16_bn] [--composites epsilon-plus-flat,epsilon-gamma-box]
//                         [--repeats 3] [--threads N]
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseArgs } = require('util');

const lrp = require('../dist');
const { readProfile, printBreakdown } = require('./profile_summary');

const root = path.join(__dirname, '..');
const { values } = parseArgs({
  options: { models: { type: 'string' }, composites: { type: 'string' }, repeats: { type: 'string' }, threads: { type: 'string' } },
});
const names = (values.models ?? 'resnet18,vgg16_bn').split(',');
const composites = (values.composites ?? 'epsilon-plus-flat,epsilon-gamma-box').split(',');
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
  console.log(`canonization, batch ${batch}, 224², ${threads} threads, median of ${repeats}`);
  const profiles = [];
  console.log('model       composite          zennit img/s  lrp-node img/s  ratio  zennit explain/forward  lrp-node explain/forward');
  for (const name of names) {
    const file = path.join(root, 'bench', 'models', `${name}.pt`);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run /usr/bin/python3 test/fixture_makers/make_bench_models.py`);
    const model = await lrp.loadModel(file, { canonize: true });
    for (const composite of composites) {
      const py = spawnSync('/usr/bin/python3', [path.join(__dirname, 'zennit_explain.py'), '--model', name, '--input', inputFile,
        '--repeats', String(repeats), '--threads', String(threads), '--composite', composite], { encoding: 'utf8' });
      if (py.status !== 0) throw new Error(`zennit run failed: ${py.stderr.trim().split('\n').pop()}`);
      const zennit = JSON.parse(py.stdout.trim().split('\n').pop());
      const config = { target: targets, composite, ...(composite === 'epsilon-gamma-box' ? { low: -3, high: 3 } : {}) };
      const forwardMs = await median(() => model.forward(x));
      const explainMs = await median(() => model.explain(x, config));
      const zennitRate = (batch * 1000) / zennit.explainMs;
      const ourRate = (batch * 1000) / explainMs;
      console.log(`${name.padEnd(12)}${composite.padEnd(19)}${zennitRate.toFixed(2).padStart(12)}${ourRate.toFixed(2).padStart(16)}` +
        `${(ourRate / zennitRate).toFixed(2).padStart(7)}${(zennit.explainMs / zennit.forwardMs).toFixed(2).padStart(24)}` +
        `${(explainMs / forwardMs).toFixed(2).padStart(26)}`);
      // One more call, profiled (LRP_NODE_PROFILE), for the breakdown printed after the table.
      const profileFile = path.join(path.dirname(inputFile), `${name}.${composite}.json`);
      process.env.LRP_NODE_PROFILE = profileFile;
      const t0 = process.hrtime.bigint();
      await model.explain(x, config);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      delete process.env.LRP_NODE_PROFILE;
      profiles.push({ label: ` — ${name}, ${composite}`, profile: readProfile(profileFile), wall, forward: forwardMs / 1000 });
    }
    model.dispose();
  }
  for (const p of profiles) printBreakdown(p.profile, p.wall, p.forward, p.label);
}

main().catch((error) => {
  console.error(`bench/explain: ${error.message}`);
  process.exit(1);
});
