#!/usr/bin/env node
// lrp-node search against the paper's pipeline (bench/paper_pipeline.py: zennit NameMapComposite +
// Quantus v0.6.0, one configuration at a time, every metric explaining again), on the same narrow
// VGG-13-BN, images, configurations (one γ per group: low / mid / high convolutions and the head,
// canonized no/yes) and the paper's seven search metrics. Sections, each printed as it finishes:
//  1. seconds per configuration of each (wall and CPU) and their ratio; where lrp-node's time goes
//     (CPU per phase, from LRP_NODE_SEARCH_PROFILE); its cost against the forward floor;
//  2. halving against grid on the same space: compute spent (sample evaluations, wall and CPU time)
//     and, per deterministic metric, the grid rank of halving's best configuration;
//  3. (--full) the paper's 4802-configuration grid (7 values, 32 images at 64²): with --configs K, a
//     declared subset of K configurations spread over it (the shard 0/⌊4802/K⌋), timed in one
//     process and as two shards in two processes, with the whole grid's time extrapolated; --parts
//     one or shards runs only one of the two (the whole grid takes hours per part on 2 cores).
//   node bench/search.js [--samples 4] [--size 64] [--values 0,1] [--pipeline-configs 2] [--threads N]
//                        [--skip-pipeline] [--sections 1,2] [--full [--configs K] [--parts one,shards]] [--keep]
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { parseArgs } = require('util');

const lrp = require('../dist');

const root = path.join(__dirname, '..');
const CLI = path.join(root, 'dist', 'cli', 'main.js');
const { values: flags } = parseArgs({
  options: {
    samples: { type: 'string' }, size: { type: 'string' }, values: { type: 'string' }, 'pipeline-configs': { type: 'string' },
    threads: { type: 'string' }, full: { type: 'boolean' }, configs: { type: 'string' }, sections: { type: 'string' },
    keep: { type: 'boolean' }, 'skip-pipeline': { type: 'boolean' }, parts: { type: 'string' },
  },
});
const samples = Number(flags.samples ?? 4);
const size = Number(flags.size ?? 64);
const gammas = (flags.values ?? '0,1').split(',').map(Number);
const pipelineConfigs = Number(flags['pipeline-configs'] ?? 2);
const threads = Number(flags.threads ?? os.cpus().length);
const sections = new Set((flags.sections ?? (flags.full ? '3' : '1,2')).split(',').map(Number));
if (flags.full) sections.add(3);
const parts = new Set((flags.parts ?? 'one,shards').split(','));
for (const part of parts) if (part !== 'one' && part !== 'shards') throw new Error(`--parts: '${part}' is not one or shards`);
const METRICS = ['avg-sensitivity', 'rra', 'rma', 'sparseness', 'random-logit', 'pixel-flipping', 'region-perturbation'];
const DETERMINISTIC = ['rra', 'rma', 'sparseness', 'pixel-flipping', 'region-perturbation'];
const PAPER_VALUES = [0, 0.1, 0.25, 0.5, 1, 10, 50];
// Pixel flipping needs the step to divide H·W in Quantus (448 does not divide 64²); region
// perturbation: patches of 1/8 of the side (patch 14 leaves fewer than 50 regions at 64²).
const options = (side) => ({ 'pixel-flipping': { featuresInStep: 256 }, 'region-perturbation': { patchSize: side / 8, regions: 50 } });

function python(args) {
  const run = spawnSync('/usr/bin/python3', [path.join(__dirname, 'paper_pipeline.py'), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`paper_pipeline.py ${args[0]} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

/**
 * Runs the lrp-node CLI with `threads` threads and the search profile on; resolves with its wall
 * seconds and the profile (lib/search/profile.ts: CPU per phase, the evaluation's wall and CPU).
 */
function lrpNode(args) {
  const profile = path.join(os.tmpdir(), `lrp-search-profile-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), LRP_NODE_SEARCH_PROFILE: profile };
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'inherit', 'pipe'], env });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`lrp-node ${args.join(' ')}: ${err}`));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const read = fs.existsSync(profile) ? JSON.parse(fs.readFileSync(profile, 'utf8')) : undefined;
      fs.rmSync(profile, { force: true });
      resolve({ seconds, profile: read });
    });
  });
}

function readLines(dir) {
  return fs.readFileSync(path.join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

/** The median wall and CPU seconds of 5 calls after a warm-up call. */
async function median(fn) {
  await fn();
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    runs.push({ wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6 });
  }
  const mid = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[2];
  return { wall: mid('wall'), cpu: mid('cpu') };
}

/** Repeats every row of x k times (the sensitivity metrics' noisy copies, without the noise). */
function repeatRows(x, k) {
  const rowSize = x.data.length / x.shape[0];
  const data = new Float32Array(x.data.length * k);
  for (let s = 0; s < x.shape[0]; s++) for (let j = 0; j < k; j++) data.set(x.data.subarray(s * rowSize, (s + 1) * rowSize), (s * k + j) * rowSize);
  return new lrp.Tensor(data, [x.shape[0] * k, ...x.shape.slice(1)]);
}

const ms = (s) => `${(s * 1000).toFixed(1)} ms`;
const pct = (a, b) => `${((100 * a) / b).toFixed(1)} %`;

/** Makes the data (python side) and the search configs of one space in `dir`. */
function makeSpace(dir, { n, side, values }) {
  fs.mkdirSync(dir, { recursive: true });
  const made = python(['make', '--dir', dir, '--samples', String(n), '--size', String(side)]);
  const config = (strategy) => ({
    model: 'model.pt', input: 'x.npy', target: 'labels.npy', masks: 'masks.npy', metrics: METRICS, options: options(side), seed: 0,
    base: { composite: 'name-map', rules: [{ layers: made.pass, rule: 'pass' }] }, groups: made.groups,
    space: { rule: 'gamma', values, canonize: [false, true] }, strategy,
  });
  fs.writeFileSync(path.join(dir, 'grid.json'), JSON.stringify(config({ kind: 'grid' })));
  fs.writeFileSync(path.join(dir, 'halving.json'), JSON.stringify(config({ kind: 'halving', eta: 3 })));
  return { made, configs: 2 * values.length ** Object.keys(made.groups).length };
}

/** Section 1's breakdown: CPU seconds per configuration, by phase, from a grid run's profile. */
function printBreakdown(profile, configs) {
  const per = (s) => ms(s / configs);
  const { native, js, rows } = profile;
  const nativeTotal = Object.values(native).reduce((a, b) => a + b, 0);
  const other = profile.cpu - nativeTotal - js.explain - js.metrics;
  console.log(`   where lrp-node's time goes, CPU per configuration (profile of the grid run; ${per(profile.cpu)} in all, evaluation only):`);
  console.log(`     native: explanations ${per(native.explain)} (one forward per batch and canonize setting, one propagation per configuration),` +
    ` random-logit class ${per(native['random-logit'])}, noisy copies ${per(native.sensitivity)} (${rows.sensitivity / rows.explain} rows per sample row),` +
    ` perturbation forwards ${per(native.perturbation)} (${Math.round(rows.perturbation / configs)} rows in ${Math.round(profile.calls.perturbation / configs)} calls)`);
  console.log(`     JavaScript: explain stage ${per(js.explain)} (shared metrics' reductions, copies), metric stage ${per(js.metrics)} ` +
    `(perturbing inputs, reductions, rows handed to the native side), other ${per(Math.max(0, other))} (results, lines, scheduling)`);
  console.log(`     wall: explain stage ${per(profile.wall.explain)}, metric stage ${per(profile.wall.metrics)}, evaluation ${per(profile.elapsed)}`);
}

async function sectionOne(dir, space, grid) {
  const { configs } = space;
  const paper = flags['skip-pipeline'] ? null : python(['run', '--dir', dir, '--values', gammas.join(','), '--configs', String(pipelineConfigs), '--batch', String(samples),
    '--threads', String(threads), '--features-in-step', '256', '--patch', String(size / 8), '--regions', '50']);
  const x = await lrp.readNpy(path.join(dir, 'x.npy'));
  const labels = Array.from((await lrp.readNpy(path.join(dir, 'labels.npy'))).data);
  const model = await lrp.loadModel(path.join(dir, 'model.pt'));
  const forward = await median(() => model.forward(x));
  const opts = options(size);
  const steps = Math.ceil((3 * size * size) / opts['pixel-flipping'].featuresInStep) + 1 + opts['region-perturbation'].regions + 1;
  // A configuration's own explains (its explanation, the random-logit class's, the 10 noisy copies
  // per sample of avg-sensitivity), each timed alone: their propagations are its own in a search
  // too; only their forwards are shared.
  const explain = { composite: 'name-map', rules: [{ layers: space.made.pass, rule: 'pass' }, ...Object.values(space.made.groups).map((layers) => ({ layers, rule: 'gamma', gamma: 0.25 }))] };
  const one = await median(() => model.explain(x, { ...explain, target: labels }));
  const noisy = await median(() => model.explain(repeatRows(x, 10), { ...explain, target: labels.flatMap((y) => new Array(10).fill(y)) }));
  const ours = { wall: grid.seconds / configs, cpu: grid.profile.cpu / configs, evaluationWall: grid.profile.elapsed / configs };
  console.log('\n1. seconds per configuration');
  if (paper) {
    console.log(`   paper pipeline (zennit + Quantus, ${paper.configs} configurations timed): ${paper.secondsPerConfig.toFixed(2)} s wall, ${paper.cpuSecondsPerConfig.toFixed(2)} s CPU`);
    console.log(`     by metric (wall): ${Object.entries(paper.metricSecondsPerConfig).map(([m, s]) => `${m} ${s.toFixed(2)}`).join(', ')}`);
  }
  console.log(`   lrp-node search (all ${configs}): ${ours.wall.toFixed(3)} s wall (${grid.seconds.toFixed(1)} s in all, process start and report included), ` +
    `evaluation alone ${ours.evaluationWall.toFixed(3)} s wall, ${ours.cpu.toFixed(3)} s CPU`);
  if (paper) {
    console.log(`   ratio paper / lrp-node: ${(paper.secondsPerConfig / ours.wall).toFixed(1)}× wall (start and report counted on lrp-node's side only), ` +
      `${(paper.cpuSecondsPerConfig / ours.cpu).toFixed(1)}× CPU`);
  }
  printBreakdown(grid.profile, configs);
  const { native } = grid.profile;
  const inRun = native.perturbation / configs;
  const sensitivity = native.sensitivity / configs;
  console.log(`   forward floor, as the issue defines it: ${steps} forwards of the ${samples} images × ${ms(forward.wall)} wall, ${ms(forward.cpu)} CPU = ` +
    `${(steps * forward.cpu).toFixed(3)} s CPU; lrp-node CPU / floor = ${(ours.cpu / (steps * forward.cpu)).toFixed(2)}`);
  console.log(`   forward floor as the search runs them (the perturbation forwards' own native CPU in the run, in batches of up to 64 rows): ` +
    `${inRun.toFixed(3)} s; lrp-node CPU / floor = ${(ours.cpu / inRun).toFixed(2)}, ` +
    `without the noisy copies' propagations (avg-sensitivity, ${sensitivity.toFixed(3)} s) ${((ours.cpu - sensitivity) / inRun).toFixed(2)}`);
  const own = 2 * one.cpu + noisy.cpu;
  console.log(`   one configuration's explains run alone, unshared (its explanation, the random-logit class's, 10 noisy copies per image): ` +
    `${own.toFixed(3)} s CPU; lrp-node CPU / (issue's floor + those) = ${(ours.cpu / (steps * forward.cpu + own)).toFixed(2)}`);
  model.dispose?.();
}

/** 1 + the number of grid configurations with a strictly better mean (ties share the best rank). */
function gridRank(grid, metric, id, direction) {
  const score = grid.find((l) => l.id === id).scores[metric];
  const better = grid.filter((l) => l.scores[metric] !== null && (direction === 'max' ? l.scores[metric] > score : l.scores[metric] < score)).length;
  return better + 1;
}

async function sectionTwo(dir, grid) {
  const halving = await lrpNode(['search', '--config', path.join(dir, 'halving.json'), '--out', path.join(dir, 'halving')]);
  const gridLines = readLines(path.join(dir, 'grid'));
  const halvingLines = readLines(path.join(dir, 'halving'));
  const evaluations = (lines) => lines.reduce((n, l) => n + l.samples, 0);
  const spent = evaluations(halvingLines) / evaluations(gridLines);
  const rounds = new Map();
  for (const l of halvingLines) rounds.set(l.samples, (rounds.get(l.samples) ?? 0) + 1);
  const { best, directions } = JSON.parse(fs.readFileSync(path.join(dir, 'halving', 'summary.json'), 'utf8'));
  console.log(`\n2. halving (eta 3) against grid: ${gridLines.length} configurations, ${samples} samples`);
  console.log(`   rounds: ${[...rounds].map(([s, c]) => `${c} configurations on ${s} samples`).join(', ')}`);
  console.log(`   compute: ${evaluations(halvingLines)} of ${evaluations(gridLines)} sample evaluations (${pct(evaluations(halvingLines), evaluations(gridLines))}); ` +
    `CPU ${halving.profile.cpu.toFixed(1)} s vs ${grid.profile.cpu.toFixed(1)} s (${pct(halving.profile.cpu, grid.profile.cpu)}); ` +
    `wall ${halving.seconds.toFixed(1)} s vs ${grid.seconds.toFixed(1)} s (${pct(halving.seconds, grid.seconds)})`);
  const top = [];
  for (const m of DETERMINISTIC) {
    const rank = gridRank(gridLines, m, best[m], directions[m]);
    const defined = gridLines.filter((l) => l.scores[m] !== null).length;
    top.push(rank / defined);
    console.log(`   ${m.padEnd(20)} halving's best ${best[m]}: grid rank ${rank} of ${defined} (top ${pct(rank, defined)})`);
  }
  const worst = Math.max(...top);
  console.log(`   target (every one within the top 5 % at ≤ 20 % of the grid's compute): ${worst <= 0.05 && spent <= 0.2 ? 'met' : 'missed'}; ` +
    `worst metric in the top ${(100 * worst).toFixed(1)} %, compute ${(100 * spent).toFixed(1)} %`);
}

async function sectionThree(dir) {
  const full = path.join(dir, 'full');
  makeSpace(full, { n: 32, side: 64, values: PAPER_VALUES });
  const total = 2 * PAPER_VALUES.length ** 4;
  const wanted = Math.min(Number(flags.configs ?? total), total);
  // A declared subset spread over the grid (both canonize settings): the shard 0/stride; its two
  // halves are the shards 0/(2·stride) and stride/(2·stride).
  const stride = Math.max(1, Math.floor(total / wanted));
  const count = Math.ceil(total / stride);
  const config = path.join(full, 'grid.json');
  const subset = stride === 1 ? [] : ['--shard', `0/${stride}`];
  const one = parts.has('one') ? await lrpNode(['search', '--config', config, '--out', path.join(full, 'one'), ...subset]) : null;
  const halves = stride === 1 ? [['--shard', '0/2'], ['--shard', '1/2']] : [['--shard', `0/${2 * stride}`], ['--shard', `${stride}/${2 * stride}`]];
  let two = null;
  if (parts.has('shards')) {
    const sharded = process.hrtime.bigint();
    const runs = await Promise.all(halves.map((shard, i) => lrpNode(['search', '--config', config, '--out', path.join(full, `shard${i}`), ...shard])));
    two = { runs, seconds: Number(process.hrtime.bigint() - sharded) / 1e9, evaluation: Math.max(...runs.map((t) => t.profile.elapsed)) };
    await lrpNode(['report', path.join(full, 'shard0'), path.join(full, 'shard1'), '--out', path.join(full, 'merged')]);
  }
  console.log(`\n3. the paper's grid: ${total} configurations (γ ∈ {${PAPER_VALUES.join(', ')}} per group × canonize no/yes), 32 images at 64²; ${threads} threads per process`);
  if (stride > 1) console.log(`   timed: the ${count} configurations with index ≡ 0 (mod ${stride}) (--shard 0/${stride}); the rest is EXTRAPOLATED from them`);
  if (one) {
    console.log(`   one process: ${one.seconds.toFixed(1)} s wall (evaluation ${one.profile.elapsed.toFixed(1)} s: ${(one.profile.elapsed / count).toFixed(2)} s per configuration, ` +
      `${(one.profile.cpu / count).toFixed(2)} s CPU; start and report ${(one.seconds - one.profile.elapsed).toFixed(1)} s)`);
  }
  if (two) {
    const byId = (lines) => JSON.stringify(lines.map((l) => [l.id, l.perSample]).sort());
    const merged = readLines(path.join(full, 'merged'));
    const check = one ? `merged by report: ${byId(merged) === byId(readLines(path.join(full, 'one'))) ? 'equal' : 'NOT equal'} to the one-process run`
      : `merged by report: ${merged.length} of ${count} configurations`;
    console.log(`   two processes at once (${halves.map((h) => h.join(' ')).join(' and ')}): ${two.seconds.toFixed(1)} s wall ` +
      `(evaluation ${two.evaluation.toFixed(1)} s: ${(two.evaluation / count).toFixed(2)} s per configuration, ` +
      `${(two.runs.reduce((c, t) => c + t.profile.cpu, 0) / count).toFixed(2)} s CPU); ${check}`);
  }
  if (stride > 1) {
    const hours = (s) => `${(s / 3600).toFixed(1)} h`;
    const parts = [one && `one process ${hours((one.profile.elapsed / count) * total)}`, two && `two processes ${hours((two.evaluation / count) * total)}`];
    console.log(`   EXTRAPOLATED to all ${total}: ${parts.filter(Boolean).join(', ')} (evaluation only; start and a report of all ${total} come on top)`);
  }
}

async function main() {
  lrp.threads(threads);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-search-bench-'));
  if (sections.has(1) || sections.has(2)) {
    const space = makeSpace(dir, { n: samples, side: size, values: gammas });
    console.log(`narrow VGG-13-BN at ${size}², ${samples} images, γ ∈ {${gammas.join(', ')}} per group × canonize no/yes = ${space.configs} configurations; ` +
      `metrics ${METRICS.join(', ')}; ${threads} threads; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const grid = await lrpNode(['search', '--config', path.join(dir, 'grid.json'), '--out', path.join(dir, 'grid')]);
    if (sections.has(1)) await sectionOne(dir, space, grid);
    if (sections.has(2)) await sectionTwo(dir, grid);
  }
  if (sections.has(3)) await sectionThree(dir);
  console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (!flags.keep) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`outputs kept in ${dir}`);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
