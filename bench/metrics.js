#!/usr/bin/env node
// Quantus v0.6.0 vs lrp-node, in one run on the same machine, threads, model, images and
// attributions: region perturbation (patch 14, 50 regions, baseline black) and avg-sensitivity
// (10 samples, EpsilonPlusFlat explanations), for ResNet-18 at 224² and the small CNN fixture at
// 64², batch 8. Prints both times, their ratio, and each one's cost in forwards of that model.
// Each metric is timed as the median of --repeats runs after one warm-up run, on both sides (a
// first run pays for new batch shapes: oneDNN compiles kernels per shape, fresh pages fault in).
//   node bench/metrics.js [--threads N] [--repeats 3]   (needs bench/models/resnet18.pt, QUANTUS_SRC, ZENNIT_SRC)
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseArgs } = require('util');

const lrp = require('../dist');

const root = path.join(__dirname, '..');
const { values } = parseArgs({ options: { threads: { type: 'string' }, repeats: { type: 'string' } } });
const repeats = Number(values.repeats ?? 3);
const threads = Number(values.threads ?? os.cpus().length);
lrp.threads(threads);

function seeded(shape, seed) {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 1073741824 - 1;
  }
  return new lrp.Tensor(data, shape);
}

async function seconds(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function warmMedian(fn) {
  await fn();
  const times = [];
  for (let r = 0; r < repeats; r++) times.push(await seconds(fn));
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

async function main() {
  const cases = [
    { name: 'resnet18', file: path.join(root, 'bench', 'models', 'resnet18.pt'), size: 224 },
    { name: 'vgg', file: path.join(root, 'test', 'fixtures', 'models', 'vgg.pt'), size: 64 },
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-metrics-bench-'));
  console.log(`batch 8, ${threads} threads; median of ${repeats} after a warm-up; times in s (cost in forwards of the model)`);
  console.log('model      metric               Quantus            lrp-node           Quantus/lrp-node');
  for (const c of cases) {
    const model = await lrp.loadModel(c.file);
    const x = seeded([8, 3, c.size, c.size], 11);
    const targets = Array.from({ length: 8 }, (_, i) => i % 10);
    const { relevance } = await model.explain(x, { target: targets, composite: 'epsilon-plus-flat' });
    const attributions = lrp.poolChannels(relevance, 'sum');
    await lrp.writeNpy(path.join(dir, 'x.npy'), x);
    await lrp.writeNpy(path.join(dir, 'a.npy'), attributions);
    const py = spawnSync('/usr/bin/python3', [path.join(__dirname, 'quantus_metrics.py'), '--model', c.name,
      '--input', path.join(dir, 'x.npy'), '--attributions', path.join(dir, 'a.npy'), '--targets', targets.join(','),
      '--threads', String(threads), '--repeats', String(repeats)], { encoding: 'utf8' });
    if (py.status !== 0) throw new Error(`Quantus run failed: ${py.stderr.trim().split('\n').pop()}`);
    const quantus = JSON.parse(py.stdout.trim().split('\n').pop());
    await model.forward(x);
    let forward = Infinity;
    for (let r = 0; r < 3; r++) forward = Math.min(forward, await seconds(() => model.forward(x)));
    const rp = await warmMedian(() => lrp.metrics.regionPerturbation({
      model, inputs: x, targets, attributions, patchSize: 14, regions: 50, perturb: 'baseline', perturbBaseline: 'black',
    }));
    const sens = await warmMedian(() => lrp.metrics.avgSensitivity({
      model, inputs: x, targets, attributions, nrSamples: 10, explain: { composite: 'epsilon-plus-flat' },
    }));
    const row = (metric, q, ours) => console.log(`${c.name.padEnd(11)}${metric.padEnd(21)}${`${q.toFixed(2)} (${(q / quantus.forward).toFixed(1)})`.padEnd(19)}` +
      `${`${ours.toFixed(2)} (${(ours / forward).toFixed(1)})`.padEnd(19)}${(q / ours).toFixed(2)}×`);
    row('region-perturbation', quantus.regionPerturbation, rp);
    row('avg-sensitivity', quantus.avgSensitivity, sens);
  }
}

main().catch((error) => {
  console.error(`bench/metrics: ${error.message}`);
  process.exit(1);
});
