#!/usr/bin/env node
// lrp-node vs zennit 0.5.1, in one run on this machine with the same threads, model, input and
// targets: EpsilonPlusFlat (and EpsilonGammaBox, low −3, high 3) with canonization at batch 8 on
// torchvision ResNet-18 and VGG-16-BN (224×224). Prints images/s of each, their ratio, each one's
// explain time over its own forward time, and where lrp-node's time goes (bench/profile_summary.js).
// Needs bench/models/ (test/fixture_makers/make_bench_models.py) and zennit's source (ZENNIT_SRC,
// see bench/zennit_explain.py).
// `--models vit` (alone or in the list) times the shipped ViT (data/models/vit.pt, shapes-loc test
// images at 64², batch --vit-batch): lrp-node's cp-lrp and attn-lrp over its own forward, LXT's
// efficient mode (its CP-LRP patches, bench/lxt_explain.py, LXT_SRC) in the same run with the ratio
// and the relative L2 distance of the two relevances, and explainMany over a γ grid (the ViT's four
// search groups, lib/search/vit_groups.ts, × γ ∈ {0, 0.1, 0.25, 0.5} = 256 attn-lrp configurations)
// against single explains (timed on --separate of them, scaled).
//   node bench/explain.js [--models resnet18,vgg16_bn,vit] [--composites epsilon-plus-flat,epsilon-gamma-box]
//                         [--repeats 3] [--threads N] [--vit-batch 32] [--separate 8] [--vit-model FILE]
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseArgs } = require('util');

const lrp = require('../dist');
const { readProfile, printBreakdown, forwardByLayer } = require('./profile_summary');
const { gridFloors } = require('./grid_floor');
const { relativeL2 } = require('./relative_l2');

const root = path.join(__dirname, '..');
const { values } = parseArgs({
  options: {
    models: { type: 'string' }, composites: { type: 'string' }, repeats: { type: 'string' }, threads: { type: 'string' },
    'vit-batch': { type: 'string' }, separate: { type: 'string' }, 'vit-model': { type: 'string' },
  },
});
const names = (values.models ?? 'resnet18,vgg16_bn').split(',');
const composites = (values.composites ?? 'epsilon-plus-flat,epsilon-gamma-box').split(',');
const repeats = Number(values.repeats ?? 3);
const threads = Number(values.threads ?? os.cpus().length);
const batch = 8;
const vitBatch = Number(values['vit-batch'] ?? 32);
const separate = Number(values.separate ?? 8);

function seededImage() {
  const data = new Float32Array(batch * 3 * 224 * 224);
  let s = 7;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = (s / 1073741824 - 1) * 1.5;
  }
  return new lrp.Tensor(data, [batch, 3, 224, 224]);
}

/** The median CPU time of this process (all its threads) over `repeats` calls after one warm-up, in ms. */
async function medianCpu(fn) {
  await fn();
  const times = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = process.cpuUsage();
    await fn();
    const t = process.cpuUsage(t0);
    times.push((t.user + t.system) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
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

/** CPU seconds of this process (all threads) for one call. */
async function cpuSeconds(fn) {
  const t0 = process.cpuUsage();
  await fn();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1e6;
}

/** The shipped ViT: lrp-node against LXT's efficient mode, and explainMany over a γ grid. */
async function benchVit() {
  const file = values['vit-model'] ?? path.join(root, 'data', 'models', 'vit.pt');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: npm run benchmark:data -- --models vit`);
  const data = await lrp.loadDataset(path.join(root, 'data', 'shapes-loc', 'test'), { limit: vitBatch });
  const x = data.inputs[0];
  const target = Array.from(data.targets);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-bench-vit-'));
  const inputFile = path.join(dir, 'x.npy');
  const lxtFile = path.join(dir, 'lxt.npy');
  await lrp.writeNpy(inputFile, x);
  const py = spawnSync('/usr/bin/python3', [path.join(__dirname, 'lxt_explain.py'), '--model', file, '--input', inputFile,
    '--targets', target.join(','), '--out', lxtFile, '--repeats', String(repeats), '--threads', String(threads)], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`LXT run failed: ${py.stderr.trim().split('\n').pop()}`);
  const lxt = JSON.parse(py.stdout.trim().split('\n').pop());
  const lxtRelevance = (await lrp.readNpy(lxtFile)).data;
  const model = await lrp.loadModel(file);
  const forwardMs = await median(() => model.forward(x));
  const forwardCpuMs = await medianCpu(() => model.forward(x));
  console.log(`\nViT (${path.relative(root, file)}), batch ${x.shape[0]}, ${x.shape[2]}², ${threads} threads, median of ${repeats}; ` +
    'wall time, then CPU time of each process (steadier on a shared machine)');
  console.log('composite  clock  LXT img/s  lrp-node img/s  ratio  LXT explain/forward  lrp-node explain/forward  rel. L2 to LXT');
  // LXT's efficient mode is input × gradient with no ε: cp-lrp runs with ε = stabilizer = 1e-12 to
  // compare relevances (the time does not depend on ε). Its mode for torchvision's ViT is CP-LRP, so
  // the distance is meaningful for cp-lrp only; attn-lrp's time is lrp-node's alone.
  const configs = { 'cp-lrp': { composite: 'cp-lrp', epsilon: 1e-12, stabilizer: 1e-12 }, 'attn-lrp': { composite: 'attn-lrp' } };
  for (const [composite, config] of Object.entries(configs)) {
    const explainMs = await median(() => model.explain(x, { target, ...config }));
    const explainCpuMs = await medianCpu(() => model.explain(x, { target, ...config }));
    const { relevance } = await model.explain(x, { target, ...config });
    const distance = composite === 'cp-lrp' ? relativeL2(relevance.data, lxtRelevance).toExponential(2) : '—';
    for (const [clock, ours, oursForward, theirs, theirsForward] of [
      ['wall', explainMs, forwardMs, lxt.explainMs, lxt.forwardMs], ['CPU', explainCpuMs, forwardCpuMs, lxt.explainCpuMs, lxt.forwardCpuMs],
    ]) {
      const lxtRate = (x.shape[0] * 1000) / theirs;
      const ourRate = (x.shape[0] * 1000) / ours;
      console.log(`${composite.padEnd(11)}${clock.padEnd(5)}${lxtRate.toFixed(1).padStart(11)}${ourRate.toFixed(1).padStart(16)}` +
        `${(ourRate / lxtRate).toFixed(2).padStart(7)}${(theirs / theirsForward).toFixed(2).padStart(21)}` +
        `${(ours / oursForward).toFixed(2).padStart(26)}${distance.padStart(16)}`);
    }
  }
  // explainMany over the search's groups × γ ∈ {0, 0.1, 0.25, 0.5}: 4⁴ = 256 attn-lrp configurations.
  const { vitGroups } = require('../dist/search/vit_groups');
  const groups = Object.values(vitGroups(model.layers, file).groups);
  const gammas = [0, 0.1, 0.25, 0.5];
  const grid = Array.from({ length: gammas.length ** groups.length }, (_, i) => ({
    composite: 'attn-lrp',
    rules: groups.map((layers, g) => ({ layers, rule: 'gamma', gamma: gammas[Math.floor(i / gammas.length ** g) % gammas.length] })),
  }));
  // in CPU seconds, as the table's second rows: a grid this long meets every load of a shared machine
  const forward = forwardCpuMs / 1000;
  let one = 0;
  const step = Math.floor(grid.length / separate);
  for (let k = 0; k < separate; k++) one += await cpuSeconds(() => model.explain(x, { target, ...grid[k * step] }));
  one /= separate;
  const many = await cpuSeconds(() => model.explainMany(x, { target, configs: grid }));
  // Per-layer forward times for the floor, from one profiled explain (the profiler slows a call of
  // this many small operators several-fold: the timed calls run without it).
  const profileFile = path.join(dir, 'one.json');
  process.env.LRP_NODE_PROFILE = profileFile;
  await model.explain(x, { target, ...grid[0] });
  delete process.env.LRP_NODE_PROFILE;
  const perLayer = forwardByLayer(readProfile(profileFile));
  const floor = gridFloors(model.layers, groups, gammas, perLayer, [...perLayer.values()].reduce((sum, l) => sum + l.seconds, 0));
  const n = grid.length;
  console.log(`explainMany over ${n} configurations (${groups.length} groups × γ ∈ {${gammas}}), CPU time:`);
  console.log(`  one explain            ${(one * 1000).toFixed(1)} ms (${(one / forward).toFixed(2)} forwards; mean of ${separate})`);
  console.log(`  ${n} separate explains ${(one * n).toFixed(2)} s (scaled from ${separate} timed)`);
  console.log(`  explainMany(${n})      ${many.toFixed(2)} s (${(many / forward / n).toFixed(2)} forwards per configuration)`);
  console.log(`  speed-up               ${((one * n) / many).toFixed(2)}×`);
  console.log(`  floor per configuration ${floor.gammaRule.toFixed(3)} forwards (the γ rule's), ${floor.oneProduct.toFixed(3)} (one product); ` +
    `explainMany at ${(many / forward / n / floor.gammaRule).toFixed(2)}× the γ rule's`);
  model.dispose();
  fs.rmSync(dir, { recursive: true });
}

async function main() {
  lrp.threads(threads);
  const cnns = names.filter((n) => n !== 'vit');
  if (cnns.length > 0) await benchCnns(cnns);
  if (names.includes('vit')) await benchVit();
}

async function benchCnns(names) {
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
