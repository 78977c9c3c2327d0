#!/usr/bin/env node
// npm run demo -- [--full] [--out DIR] [--samples N] [--search-samples N] [--skip-search]
// The paper's job on the shipped benchmark (docs/data.md), through the package's own API
// (docs/search.md):
//   1. Table 1: `evaluate` of every model in data/models/manifest.json on its test split, six
//      explainers × canonize no/yes, all ten metrics;
//   2. Fig. 2: a `search` on VGG-13-BN over the four layer groups (low, mid and high
//      convolutions, dense head) with a reduced γ grid × canonize no/yes, the seven search metrics.
// Everything goes to one fresh folder (default: a new folder under the OS temp dir); Table 1 and
// the paths of the reports are printed at the end.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseArgs } = require('util');

const root = path.join(__dirname, '..');
const MODELS = path.join(root, 'data', 'models');
const DATASETS = { 'shapes-loc': path.join(root, 'data', 'shapes-loc', 'test'), 'clevr-lite': path.join(root, 'data', 'clevr-lite', 'test') };

// Samples per model (evaluate) and of the search: the default fits setup's ten minutes on 2 cores.
const SIZES = { quick: { samples: 8, searchSamples: 4, gammas: [0, 0.25, 1] }, full: { samples: 64, searchSamples: 16, gammas: [0, 0.25, 1] } };

const EXPLAINERS = {
  EpsilonPlusFlat: { composite: 'epsilon-plus-flat' },
  EpsilonAlpha2Beta1: { composite: 'epsilon-alpha2-beta1' },
  ExcitationBackprop: { composite: 'excitation-backprop' },
  Gradient: { method: 'gradient' },
  SmoothGrad: { method: 'smoothgrad', samples: 20 },
  IntegratedGradients: { method: 'integrated-gradients', samples: 20 },
};
const SEARCH_METRICS = ['avg-sensitivity', 'rra', 'rma', 'sparseness', 'random-logit', 'pixel-flipping', 'region-perturbation'];
// At 64²: pixel flipping 256 pixels per step (16 steps; the paper's 448 is for 224²), region
// perturbation 8×8 patches (14×14 leaves fewer than 50 regions) — as bench/search.js.
const METRIC_OPTIONS = { 'pixel-flipping': { featuresInStep: 256 }, 'region-perturbation': { patchSize: 8, regions: 50 } };

const USAGE = 'usage: npm run demo -- [--full] [--out DIR] [--samples N] [--search-samples N] [--skip-search]';

class UsageError extends Error {}

function positiveInteger(text, flag) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

function readFlags() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        full: { type: 'boolean' }, out: { type: 'string' }, samples: { type: 'string' }, 'search-samples': { type: 'string' },
        'skip-search': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(error.message);
  }
  const size = values.full ? SIZES.full : SIZES.quick;
  return {
    help: Boolean(values.help),
    out: values.out,
    samples: values.samples === undefined ? size.samples : positiveInteger(values.samples, '--samples'),
    searchSamples: values['search-samples'] === undefined ? size.searchSamples : positiveInteger(values['search-samples'], '--search-samples'),
    gammas: size.gammas,
    search: !values['skip-search'],
  };
}

/** A fresh output folder: the one asked for must not exist or be empty; else a new temp folder. */
function outputFolder(asked) {
  if (asked === undefined) return fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-node-demo-'));
  const dir = path.resolve(asked);
  if (fs.existsSync(dir) && (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0)) {
    throw new Error(`--out ${asked}: exists and is not an empty folder; give a new one`);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function readManifest() {
  const file = path.join(MODELS, 'manifest.json');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing (the shipped benchmark; npm run benchmark:data makes it)`);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  return Object.entries(manifest.models).map(([name, entry]) => {
    const model = path.join(MODELS, `${name}.pt`);
    const data = DATASETS[entry.dataset];
    if (!data) throw new Error(`${file}: model '${name}' names an unknown dataset '${entry.dataset}'`);
    if (!fs.existsSync(model)) throw new Error(`${file} lists '${name}' but ${model} is missing`);
    if (!fs.existsSync(path.join(data, 'index.json'))) throw new Error(`${path.join(data, 'index.json')} is missing (test split of '${entry.dataset}')`);
    return { name, model, data, dataset: entry.dataset, accuracy: entry.testAccuracy };
  });
}

function seconds(t0) {
  return ((Date.now() - t0) / 1000).toFixed(1);
}

async function evaluateModel(lrp, entry, samples, out) {
  const config = {
    model: entry.model, data: { path: entry.data, limit: samples }, seed: 0, options: METRIC_OPTIONS,
    explainers: EXPLAINERS, canonize: [false, true],
  };
  const t0 = Date.now();
  const run = lrp.evaluate({ config, out });
  for (;;) {
    const step = await run.next();
    if (step.done) break;
    const r = step.value;
    console.log(`  ${entry.name}: ${r.explainer}, canonize ${r.canonize} (${seconds(t0)} s)`);
  }
  return fs.readFileSync(path.join(out, 'table.md'), 'utf8');
}

/** The paper's four groups of the VGG's layers (lib/search/vgg_groups.ts). */
async function vggGroups(lrp, modelFile) {
  const { vggGroups: split } = require(path.join(root, 'dist', 'search', 'vgg_groups'));
  return split((await lrp.loadModel(modelFile)).layers, modelFile);
}

/**
 * Under canonization the batch norms are folded away, so the library warns, for every chunk of
 * configurations, that their `pass` rule is ignored (a search config cannot take an `onWarning`):
 * those become one line; any other warning goes to stderr once.
 */
function warnOnce() {
  const seen = new Set();
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk, ...rest) => {
    const text = String(chunk);
    if (text.startsWith('lrp-node: warning:')) {
      const key = /was merged away or removed at import; its rule 'pass' is ignored/.test(text)
        ? 'lrp-node demo: note: canonization folds the batch norms away, so their \'pass\' rule applies only without it\n' : text;
      if (seen.has(key)) return true;
      seen.add(key);
      return write(key, ...rest);
    }
    return write(chunk, ...rest);
  };
}

async function searchVgg(lrp, entry, options, out) {
  const { groups, pass } = await vggGroups(lrp, entry.model);
  const config = {
    model: entry.model, data: { path: entry.data, limit: options.searchSamples }, seed: 0,
    metrics: SEARCH_METRICS, options: METRIC_OPTIONS,
    base: { composite: 'name-map', rules: [{ layers: pass, rule: 'pass' }] },
    groups,
    space: { rule: 'gamma', values: options.gammas, canonize: [false, true] },
    strategy: { kind: 'grid' },
  };
  const total = options.gammas.length ** Object.keys(groups).length * 2;
  console.log(`search ${entry.name} on ${options.searchSamples} samples: γ ∈ {${options.gammas.join(', ')}} per group × canonize no/yes = ${total} configurations`);
  for (const [name, layers] of Object.entries(groups)) console.log(`  ${name}: ${layers.join(', ')}`);
  const t0 = Date.now();
  let done = 0;
  const run = lrp.search({ config, out });
  for (;;) {
    const step = await run.next();
    if (step.done) break;
    done += 1;
    if (done % 10 === 0 || done === total) console.log(`  ${done}/${total} configurations (${seconds(t0)} s)`);
  }
}

async function main() {
  const options = readFlags();
  if (options.help) {
    console.log(`${USAGE}\n  default: evaluate on ${SIZES.quick.samples} samples per model, search on ${SIZES.quick.searchSamples}; --full: ${SIZES.full.samples} and ${SIZES.full.searchSamples}`);
    return;
  }
  warnOnce();
  const lrp = require(path.join(root, 'dist'));
  const models = readManifest();
  const out = outputFolder(options.out);
  console.log(`lrp-node demo: the paper's job on the shipped benchmark, into ${out}`);
  const t0 = Date.now();
  const tables = [];
  for (const entry of models) {
    console.log(`evaluate ${entry.name} (${entry.dataset}, ${options.samples} test samples): ${Object.keys(EXPLAINERS).length} explainers × canonize no/yes, all ten metrics`);
    const dir = path.join(out, 'evaluate', entry.name);
    tables.push({ entry, dir, table: await evaluateModel(lrp, entry, options.samples, dir) });
  }
  const vgg = models.find((m) => m.name === 'vgg13_bn');
  const searchDir = path.join(out, 'search', 'vgg13_bn');
  if (options.search) {
    if (!vgg) throw new Error('data/models/manifest.json lists no vgg13_bn for the search');
    await searchVgg(lrp, vgg, options, searchDir);
  }
  console.log(`\nTable 1 (mean ± standard error over ${options.samples} samples; best per metric and canonize setting in bold)`);
  for (const { entry, table } of tables) console.log(`\n${entry.name} on ${entry.dataset} (test accuracy ${entry.accuracy}):\n\n${table.trim()}`);
  console.log('\nReports:');
  for (const { entry, dir } of tables) console.log(`  ${entry.name}: ${path.join(dir, 'report.html')}`);
  if (options.search) console.log(`  search on vgg13_bn (Fig. 2, Fig. 3): ${path.join(searchDir, 'report.html')}`);
  console.log(`lrp-node demo: done in ${seconds(t0)} s`);
}

main().catch((error) => {
  const usage = error instanceof UsageError;
  console.error(`lrp-node demo: ${error.message.split('\n')[0]}${usage ? ` (${USAGE})` : ''}`);
  process.exit(usage ? 2 : 1);
});
