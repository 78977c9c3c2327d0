#!/usr/bin/env node
// lrp-node search against the paper's pipeline (bench/paper_pipeline.py: zennit NameMapComposite +
// Quantus v0.6.0, one configuration at a time, every metric explaining again), on the same narrow
// VGG-13-BN, images, configurations (one γ per group: low / mid / high convolutions and the head,
// canonized no/yes) and the paper's seven search metrics. Prints, in one run on this machine:
//  1. seconds per configuration of each and their ratio; lrp-node's cost against its forward floor
//     (the forwards pixel flipping and region perturbation need, one per step and batch) and against
//     that floor plus the configuration's explains run alone;
//  2. halving against grid: compute spent (sample evaluations and wall time) and, per deterministic
//     metric, the grid rank of halving's best configuration;
//  3. with --full: the paper's 4802-configuration grid (7 values, 32 images), whole and as two shards
//     in two processes.
//   node bench/search.js [--samples 4] [--size 64] [--values 0,1] [--pipeline-configs 2] [--threads N] [--full]
//                        [--skip-pipeline (lrp-node only, for larger halving runs)] [--keep (keep the outputs)]
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { parseArgs } = require('util');

const lrp = require('../dist');

const root = path.join(__dirname, '..');
const CLI = path.join(root, 'dist', 'cli.js');
const { values: flags } = parseArgs({
  options: {
    samples: { type: 'string' }, size: { type: 'string' }, values: { type: 'string' }, 'pipeline-configs': { type: 'string' },
    threads: { type: 'string' }, full: { type: 'boolean' }, keep: { type: 'boolean' }, 'skip-pipeline': { type: 'boolean' },
  },
});
const samples = Number(flags.samples ?? 4);
const size = Number(flags.size ?? 64);
const gammas = (flags.values ?? '0,1').split(',').map(Number);
const pipelineConfigs = Number(flags['pipeline-configs'] ?? 2);
const threads = Number(flags.threads ?? os.cpus().length);
const METRICS = ['avg-sensitivity', 'rra', 'rma', 'sparseness', 'random-logit', 'pixel-flipping', 'region-perturbation'];
const DETERMINISTIC = ['rra', 'rma', 'sparseness', 'pixel-flipping', 'region-perturbation'];
// Pixel flipping needs the step to divide H·W in Quantus (448 does not divide 64²); region
// perturbation: 8×8 patches (patch 14 leaves fewer than 50 regions at 64²).
const OPTIONS = { 'pixel-flipping': { featuresInStep: 256 }, 'region-perturbation': { patchSize: 8, regions: 50 } };

function python(args) {
  const run = spawnSync('/usr/bin/python3', [path.join(__dirname, 'paper_pipeline.py'), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`paper_pipeline.py ${args[0]} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

/** Runs lrp-node with LRP_NODE threads set; resolves with the wall seconds. */
function lrpNode(args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e9) : reject(new Error(`lrp-node ${args[0]}: ${err}`))));
  });
}

function readLines(dir) {
  return fs.readFileSync(path.join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

/** The median of 5 timed calls after a warm-up call. */
async function median(fn) {
  await fn();
  const times = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return times.sort((a, b) => a - b)[2];
}

/** Repeats every row of x k times (the sensitivity metrics' noisy copies, without the noise). */
function repeatRows(x, k) {
  const size = x.data.length / x.shape[0];
  const data = new Float32Array(x.data.length * k);
  for (let s = 0; s < x.shape[0]; s++) for (let j = 0; j < k; j++) data.set(x.data.subarray(s * size, (s + 1) * size), (s * k + j) * size);
  return new lrp.Tensor(data, [x.shape[0] * k, ...x.shape.slice(1)]);
}

async function main() {
  lrp.threads(threads);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-search-bench-'));
  const made = python(['make', '--dir', dir, '--samples', String(samples), '--size', String(size)]);
  const passRules = [{ layers: made.pass, rule: 'pass' }];
  const config = (strategy, values = gammas) => ({
    model: 'model.pt', input: 'x.npy', target: 'labels.npy', masks: 'masks.npy', metrics: METRICS, options: OPTIONS, seed: 0,
    base: { composite: 'name-map', rules: passRules }, groups: made.groups,
    space: { rule: 'gamma', values, canonize: [false, true] }, strategy,
  });
  fs.writeFileSync(path.join(dir, 'grid.json'), JSON.stringify(config({ kind: 'grid' })));
  fs.writeFileSync(path.join(dir, 'halving.json'), JSON.stringify(config({ kind: 'halving', eta: 3 })));
  const configs = 2 * gammas.length ** 4;
  console.log(`narrow VGG-13-BN at ${size}², ${samples} images, γ ∈ {${gammas.join(', ')}} per group × canonize no/yes = ${configs} configurations; ` +
    `metrics ${METRICS.join(', ')}; ${threads} threads`);

  // 1. lrp-node search (grid) against the paper's pipeline
  const gridSeconds = await lrpNode(['search', '--config', path.join(dir, 'grid.json'), '--out', path.join(dir, 'grid')]);
  const ours = gridSeconds / configs;
  const paper = flags['skip-pipeline'] ? null : python(['run', '--dir', dir, '--values', gammas.join(','), '--configs', String(pipelineConfigs), '--batch', String(samples),
    '--threads', String(threads), '--features-in-step', '256', '--patch', '8', '--regions', '50']);
  const x = await lrp.readNpy(path.join(dir, 'x.npy'));
  const labels = Array.from((await lrp.readNpy(path.join(dir, 'labels.npy'))).data);
  const model = await lrp.loadModel(path.join(dir, 'model.pt'));
  const forward = await median(() => model.forward(x));
  const steps = Math.ceil((3 * size * size) / OPTIONS['pixel-flipping'].featuresInStep) + 1 + OPTIONS['region-perturbation'].regions + 1;
  const floor = steps * forward;
  // A configuration's own explains (its explanation, the random-logit class's, the 10 noisy copies
  // per sample of avg-sensitivity), each timed alone: their propagations are its own in a search
  // too; only their forwards are shared.
  const explain = { composite: 'name-map', rules: [...passRules, ...Object.values(made.groups).map((layers) => ({ layers, rule: 'gamma', gamma: 0.25 }))] };
  const own = 2 * (await median(() => model.explain(x, { ...explain, target: labels }))) +
    (await median(() => model.explain(repeatRows(x, 10), { ...explain, target: labels.flatMap((y) => new Array(10).fill(y)) })));
  console.log('\n1. seconds per configuration');
  if (paper) {
    console.log(`   paper pipeline (zennit + Quantus, ${paper.configs} configurations timed): ${paper.secondsPerConfig.toFixed(2)} s`);
    console.log(`     by metric: ${Object.entries(paper.metricSecondsPerConfig).map(([m, s]) => `${m} ${s.toFixed(2)}`).join(', ')}`);
  }
  console.log(`   lrp-node search (all ${configs}, wall ${gridSeconds.toFixed(1)} s incl. start and report): ${ours.toFixed(3)} s`);
  if (paper) console.log(`   ratio paper / lrp-node: ${(paper.secondsPerConfig / ours).toFixed(1)}×`);
  console.log(`   forward floor: ${steps} forwards of the ${samples} images × ${(forward * 1000).toFixed(2)} ms = ${floor.toFixed(3)} s; lrp-node / floor = ${(ours / floor).toFixed(2)}`);
  console.log(`   one configuration's explains run alone, unshared (its explanation, the random-logit class's, 10 noisy copies per image): ` +
    `${own.toFixed(3)} s; lrp-node / (forward floor + those) = ${(ours / (floor + own)).toFixed(2)}`);

  // 2. halving against grid
  const halvingSeconds = await lrpNode(['search', '--config', path.join(dir, 'halving.json'), '--out', path.join(dir, 'halving')]);
  const grid = readLines(path.join(dir, 'grid'));
  const halving = readLines(path.join(dir, 'halving'));
  const spent = halving.reduce((n, l) => n + l.samples, 0) / grid.reduce((n, l) => n + l.samples, 0);
  const { best, directions } = JSON.parse(fs.readFileSync(path.join(dir, 'halving', 'summary.json'), 'utf8'));
  console.log('\n2. halving (eta 3) against grid');
  console.log(`   compute: ${(100 * spent).toFixed(1)} % of the grid's sample evaluations; wall ${halvingSeconds.toFixed(1)} s vs ${gridSeconds.toFixed(1)} s (${(100 * halvingSeconds / gridSeconds).toFixed(1)} %)`);
  for (const m of DETERMINISTIC) {
    const sign = directions[m] === 'max' ? 1 : -1;
    const order = grid.filter((l) => l.scores[m] !== null).sort((a, b) => sign * (b.scores[m] - a.scores[m]));
    const rank = order.findIndex((l) => l.id === best[m]) + 1;
    console.log(`   ${m.padEnd(20)} halving's best ${best[m]}: grid rank ${rank} of ${order.length} (top ${(100 * rank / order.length).toFixed(1)} %)`);
  }

  // 3. the paper's full grid
  if (flags.full) {
    const full = path.join(dir, 'full');
    fs.mkdirSync(full);
    python(['make', '--dir', full, '--samples', '32', '--size', '64']);
    const paperValues = [0, 0.1, 0.25, 0.5, 1, 10, 50];
    fs.writeFileSync(path.join(full, 'grid.json'), JSON.stringify(config({ kind: 'grid' }, paperValues)));
    const whole = await lrpNode(['search', '--config', path.join(full, 'grid.json'), '--out', path.join(full, 'whole')]);
    const sharded = process.hrtime.bigint();
    await Promise.all([0, 1].map((i) => lrpNode(['search', '--config', path.join(full, 'grid.json'), '--out', path.join(full, `shard${i}`), '--shard', `${i}/2`])));
    const shardSeconds = Number(process.hrtime.bigint() - sharded) / 1e9;
    await lrpNode(['report', path.join(full, 'shard0'), path.join(full, 'shard1'), '--out', path.join(full, 'merged')]);
    console.log('\n3. the paper\'s grid: 4802 configurations, 32 images at 64²');
    console.log(`   one process: ${whole.toFixed(0)} s; two shards in two processes: ${shardSeconds.toFixed(0)} s`);
  }
  if (!flags.keep) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`\noutputs kept in ${dir}`);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
