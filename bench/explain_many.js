#!/usr/bin/env node
// The paper's hyperparameter grid through explainMany: the conv layers split into 4 consecutive
// groups, γ ∈ {0, 0.1, 0.25, 0.5} per group (4⁴ = 256 configurations of epsilon-gamma-box with
// per-group overrides), one model, one batch. Prints explainMany's time, the time of separate
// explains (timed on --separate configurations and scaled to 256, said so), their ratio,
// explainMany's cost in forward passes, where its time goes (LRP_NODE_PROFILE, bench/profile_summary.js),
// its floor from the model's per-layer forward times and the grid's fan-out, and the peak RSS.
// Uses bench/models/ (test/fixture_makers/make_bench_models.py).
//   node bench/explain_many.js [--model vgg16_bn] [--size 224] [--batch 4] [--separate 2] [--threads N]
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseArgs } = require('util');

const lrp = require('../dist');
const { readProfile, printBreakdown, forwardByLayer } = require('./profile_summary');
const { gridFloors } = require('./grid_floor');

const { values } = parseArgs({
  options: {
    model: { type: 'string' }, size: { type: 'string' }, batch: { type: 'string' },
    separate: { type: 'string' }, threads: { type: 'string' },
  },
});
const name = values.model ?? 'vgg16_bn';
const size = Number(values.size ?? 224);
const batch = Number(values.batch ?? 4);
const separate = Number(values.separate ?? 2);
lrp.threads(Number(values.threads ?? os.cpus().length));

const GAMMAS = [0, 0.1, 0.25, 0.5];

function groupsOf(convs) {
  return [0, 1, 2, 3].map((g) => convs.slice(Math.floor((g * convs.length) / 4), Math.floor(((g + 1) * convs.length) / 4)));
}

function grid(convs) {
  const groups = groupsOf(convs);
  const configs = [];
  for (let i = 0; i < 256; i++) {
    const gammas = [0, 1, 2, 3].map((g) => GAMMAS[Math.floor(i / 4 ** g) % 4]);
    configs.push({
      composite: 'epsilon-gamma-box', low: -3, high: 3, canonize: true,
      rules: groups.map((layers, g) => ({ layers, rule: 'gamma', gamma: gammas[g] })).filter((r) => r.layers.length > 0),
    });
  }
  return configs;
}

async function seconds(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main() {
  const model = await lrp.loadModel(path.join(__dirname, 'models', `${name}.pt`), { canonize: true });
  const convs = model.layers.filter((l) => l.op === 'conv2d').map((l) => l.name).slice(1);  // the first is zbox
  const configs = grid(convs);
  const x = new lrp.Tensor(Float32Array.from({ length: batch * 3 * size * size }, (_, i) => Math.sin(i * 0.37) * 1.5), [batch, 3, size, size]);
  const target = Array.from({ length: batch }, (_, i) => i);
  await model.forward(x);
  const forwards = [];
  for (let k = 0; k < 5; k++) forwards.push(await seconds(() => model.forward(x)));
  const forward = forwards.sort((a, b) => a - b)[2];  // median of 5: one call varies too much here
  let one = 0;
  for (let k = 0; k < separate; k++) one += await seconds(() => model.explain(x, { target, ...configs[k * 37] }));
  one /= separate;
  const profileFile = path.join(os.tmpdir(), `lrp-node-explain-many-${process.pid}.json`);
  process.env.LRP_NODE_PROFILE = profileFile;
  const many = await seconds(() => model.explainMany(x, target, configs));
  delete process.env.LRP_NODE_PROFILE;
  const profile = readProfile(profileFile);
  fs.unlinkSync(profileFile);
  console.log(`${name}, batch ${batch}, ${size}², ${lrp.threads()} threads, 256 configurations (4 groups of ${convs.length} convs × γ ∈ {${GAMMAS}})`);
  console.log(`forward                         ${forward.toFixed(2)} s  (median of 5)`);
  console.log(`one explain                     ${one.toFixed(2)} s  (${(one / forward).toFixed(2)} forwards; mean of ${separate})`);
  console.log(`256 separate explains           ${(one * 256).toFixed(1)} s  (scaled from ${separate} timed)`);
  console.log(`explainMany(256)                ${many.toFixed(1)} s  (${(many / forward).toFixed(1)} forwards, ${(many / forward / 256).toFixed(2)} per configuration)`);
  console.log(`speed-up                        ${((one * 256) / many).toFixed(2)}×`);
  const perLayer = forwardByLayer(profile);
  const profiledForward = [...perLayer.values()].reduce((sum, l) => sum + l.seconds, 0);
  const floor = gridFloors(model.layers, groupsOf(convs), GAMMAS, perLayer, profiledForward);
  console.log(`floor per configuration         ${floor.gammaRule.toFixed(3)} forwards (the γ rule: W⁺x once, two weights per γ ≠ 0); ` +
    `${floor.oneProduct.toFixed(3)} with one product per branch and layer`);
  console.log(`explainMany / floor             ${(many / forward / 256 / floor.gammaRule).toFixed(2)}× (the γ rule's), ${(many / forward / 256 / floor.oneProduct).toFixed(2)}× (one product)`);
  console.log(`peak RSS                        ${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GB`);
  printBreakdown(profile, many, forward);
}

main().catch((error) => {
  console.error(`bench/explain_many: ${error.message}`);
  process.exit(1);
});
