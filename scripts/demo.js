#!/usr/bin/env node
// npm run demo -- [--full] [--out DIR] [--samples N] [--search-samples N] [--skip-search] [--models a,b]
// The paper's job on the shipped benchmark (docs/data.md), through the package's own API
// (docs/search.md):
//   1. Table 1: `evaluate` of every model in data/models/manifest.json on its test split, all ten
//      metrics: the CNNs with six explainers × canonize no/yes, the ViT with AttnLRP, CP-LRP and the
//      three gradient methods (it has no batch norm: canonize no only);
//   2. Fig. 2: a `search` on VGG-13-BN over the four layer groups (low, mid and high
//      convolutions, dense head) with a reduced γ grid × canonize no/yes, and one on the ViT over its
//      attention projections and MLP linears of the low and high blocks, the seven search metrics.
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
// Models with attention (a softmax layer): AttnLRP's composites in place of the CNN composites.
const ATTENTION_EXPLAINERS = {
  AttnLRP: { composite: 'attn-lrp' },
  CpLRP: { composite: 'cp-lrp' },
  Gradient: EXPLAINERS.Gradient,
  SmoothGrad: EXPLAINERS.SmoothGrad,
  IntegratedGradients: EXPLAINERS.IntegratedGradients,
};
const SEARCH_METRICS = ['avg-sensitivity', 'rra', 'rma', 'sparseness', 'random-logit', 'pixel-flipping', 'region-perturbation'];
// At 64²: pixel flipping 256 pixels per step (16 steps; the paper's 448 is for 224²), region
// perturbation 8×8 patches (14×14 leaves fewer than 50 regions) — as bench/search.js.
const METRIC_OPTIONS = { 'pixel-flipping': { featuresInStep: 256 }, 'region-perturbation': { patchSize: 8, regions: 50 } };

const USAGE = 'usage: npm run demo -- [--full] [--out DIR] [--samples N] [--search-samples N] [--skip-search] [--models a,b]';

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
        'skip-search': { type: 'boolean' }, models: { type: 'string' }, help: { type: 'boolean', short: 'h' },
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
    models: values.models === undefined ? undefined : values.models.split(','),
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

/** The manifest's models, or those of `--models` (each must be listed). */
function readManifest(chosen) {
  const file = path.join(MODELS, 'manifest.json');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing (the shipped benchmark; npm run benchmark:data makes it)`);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  const unknown = (chosen ?? []).find((name) => !(name in manifest.models));
  if (unknown !== undefined) throw new UsageError(`--models: '${unknown}' is not in ${file} (it lists ${Object.keys(manifest.models).join(', ')})`);
  const entries = Object.entries(manifest.models).filter(([name]) => chosen === undefined || chosen.includes(name));
  return entries.map(([name, entry]) => {
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

/**
 * What Table 1 runs on a model: AttnLRP's explainers where it has attention (a softmax layer), the
 * CNN explainers elsewhere; canonize no/yes where it has batch norms, canonize no only where it has
 * none (canonization would change nothing: the rows would be copies).
 */
async function tablePlan(lrp, entry) {
  const model = await lrp.loadModel(entry.model);
  const attention = model.layers.some((l) => l.category === 'softmax');
  const batchNorms = model.layers.some((l) => l.op === 'batch_norm');
  model.dispose();
  return { attention, explainers: attention ? ATTENTION_EXPLAINERS : EXPLAINERS, canonize: batchNorms ? [false, true] : [false] };
}

async function evaluateModel(lrp, entry, plan, samples, out) {
  const config = {
    model: entry.model, data: { path: entry.data, limit: samples }, seed: 0, options: METRIC_OPTIONS,
    explainers: plan.explainers, canonize: plan.canonize,
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

/** The paper's four groups of the VGG's layers (lib/search/vgg_groups.ts), `pass` on ReLUs and batch norms. */
async function vggSearch(lrp, modelFile) {
  const { vggGroups } = require(path.join(root, 'dist', 'search', 'vgg_groups'));
  const model = await lrp.loadModel(modelFile);
  const { groups, pass } = vggGroups(model.layers, modelFile);
  model.dispose();
  return { groups, base: { composite: 'name-map', rules: [{ layers: pass, rule: 'pass' }] }, canonize: [false, true] };
}

/** The ViT's attention and MLP groups by depth (lib/search/vit_groups.ts) over AttnLRP; no batch norm: canonize no only. */
async function vitSearch(lrp, modelFile) {
  const { vitGroups } = require(path.join(root, 'dist', 'search', 'vit_groups'));
  const model = await lrp.loadModel(modelFile);
  const { groups } = vitGroups(model.layers, modelFile);
  model.dispose();
  return { groups, base: { composite: 'attn-lrp' }, canonize: [false] };
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

async function runSearch(lrp, entry, { groups, base, canonize }, options, out) {
  const config = {
    model: entry.model, data: { path: entry.data, limit: options.searchSamples }, seed: 0,
    metrics: SEARCH_METRICS, options: METRIC_OPTIONS,
    base,
    groups,
    space: { rule: 'gamma', values: options.gammas, canonize },
    strategy: { kind: 'grid' },
  };
  const total = options.gammas.length ** Object.keys(groups).length * canonize.length;
  const settings = canonize.length === 2 ? 'canonize no/yes' : 'canonize no (no batch norm)';
  console.log(`search ${entry.name} on ${options.searchSamples} samples: γ ∈ {${options.gammas.join(', ')}} per group × ${settings} = ${total} configurations`);
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
  const models = readManifest(options.models);
  const out = outputFolder(options.out);
  console.log(`lrp-node demo: the paper's job on the shipped benchmark, into ${out}`);
  const t0 = Date.now();
  const tables = [];
  for (const entry of models) {
    const t1 = Date.now();
    const plan = await tablePlan(lrp, entry);
    const settings = plan.canonize.length === 2 ? 'canonize no/yes' : 'canonize no (no batch norm to fold)';
    console.log(`evaluate ${entry.name} (${entry.dataset}, ${options.samples} test samples): ${Object.keys(plan.explainers).length} explainers × ${settings}, all ten metrics`);
    const dir = path.join(out, 'evaluate', entry.name);
    tables.push({ entry, dir, table: await evaluateModel(lrp, entry, plan, options.samples, dir) });
    console.log(`  ${entry.name}: Table 1 rows in ${seconds(t1)} s`);
  }
  // The searches: VGG-13-BN's four groups (the paper's), the ViT's attention and MLP groups; each
  // where the model is in the run (all of them unless --models leaves some out).
  const searches = [['vgg13_bn', vggSearch], ['vit', vitSearch]]
    .map(([name, space]) => ({ entry: models.find((m) => m.name === name), space, dir: path.join(out, 'search', name) }))
    .filter((s) => s.entry !== undefined);
  if (options.search) {
    if (options.models === undefined && !searches.some((s) => s.entry.name === 'vgg13_bn')) {
      throw new Error('data/models/manifest.json lists no vgg13_bn for the search');
    }
    for (const s of searches) {
      const t1 = Date.now();
      await runSearch(lrp, s.entry, await s.space(lrp, s.entry.model), options, s.dir);
      console.log(`  search ${s.entry.name}: ${seconds(t1)} s`);
    }
  }
  console.log(`\nTable 1 (mean ± standard error over ${options.samples} samples; best per metric and canonize setting in bold)`);
  for (const { entry, table } of tables) console.log(`\n${entry.name} on ${entry.dataset} (test accuracy ${entry.accuracy}):\n\n${table.trim()}`);
  console.log('\nReports:');
  for (const { entry, dir } of tables) console.log(`  ${entry.name}: ${path.join(dir, 'report.html')}`);
  if (options.search) for (const s of searches) console.log(`  search on ${s.entry.name} (Fig. 2, Fig. 3): ${path.join(s.dir, 'report.html')}`);
  console.log(`lrp-node demo: done in ${seconds(t0)} s`);
}

main().catch((error) => {
  const usage = error instanceof UsageError;
  console.error(`lrp-node demo: ${error.message.split('\n')[0]}${usage ? ` (${USAGE})` : ''}`);
  process.exit(usage ? 2 : 1);
});
