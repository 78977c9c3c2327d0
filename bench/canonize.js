#!/usr/bin/env node
// Forward time of the original and the canonized graphs, in one run on this machine, at batch 8:
// every fixture family (tiny, 32×32) and, when bench/models/ holds them (make_bench_models.py),
// full-size torchvision models at 224×224. Prints the median per forward and canonized / original.
//   node bench/canonize.js [--repeats N] [--only name,name]
'use strict';

const fs = require('fs');
const path = require('path');
const { parseArgs } = require('util');

const { loadModel, readNpy, Tensor } = require('../dist');

const root = path.join(__dirname, '..');
const { values } = parseArgs({ options: { repeats: { type: 'string' }, only: { type: 'string' } } });
const repeats = Number(values.repeats ?? 15);
const only = values.only ? new Set(values.only.split(',')) : null;

function toBatch(tensor, batch) {
  const per = tensor.data.length / tensor.shape[0];
  const data = new Float32Array(per * batch);
  for (let i = 0; i < batch; i++) data.set(tensor.data.subarray((i % tensor.shape[0]) * per, ((i % tensor.shape[0]) + 1) * per), i * per);
  return new Tensor(data, [batch, ...tensor.shape.slice(1)]);
}

function randomImage(batch, size) {
  const data = new Float32Array(batch * 3 * size * size);
  let s = 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 1073741824 - 1;
  }
  return new Tensor(data, [batch, 3, size, size]);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function cases() {
  const list = [];
  const models = path.join(root, 'test', 'fixtures', 'models');
  const manifest = JSON.parse(fs.readFileSync(path.join(models, 'manifest.json'), 'utf8'));
  for (const name of Object.keys(manifest.models)) {
    const inputs = [];
    for (let k = 0; k < manifest.models[name].inputs.length; k++) {
      inputs.push(toBatch(await readNpy(path.join(models, `${name}.input${k}.npy`)), 8));
    }
    list.push({ name, file: path.join(models, `${name}.pt`), inputs, size: '32²' });
  }
  const big = path.join(root, 'bench', 'models');
  if (fs.existsSync(big)) {
    for (const file of fs.readdirSync(big).filter((f) => f.endsWith('.pt')).sort()) {
      list.push({ name: file.replace(/\.pt$/, ''), file: path.join(big, file), inputs: [randomImage(8, 224)], size: '224²' });
    }
  }
  return list.filter((c) => !only || only.has(c.name));
}

async function main() {
  console.log(`canonized vs original forward, batch 8, median of ${repeats} (interleaved), ${require('os').cpus().length} cpus`);
  console.log('model               input  original ms  left-first ms (ratio)  relu-first ms (ratio)');
  for (const c of await cases()) {
    const original = await loadModel(c.file);
    const variants = [original, await original.canonize({ order: 'left-first' }), await original.canonize({ order: 'relu-first' })];
    const times = variants.map(() => []);
    for (const v of variants) await v.forward(c.inputs);  // warm-up (and bias-map caches)
    for (let r = 0; r < repeats; r++) {
      for (let i = 0; i < variants.length; i++) {
        const k = (i + r) % variants.length;  // rotate, so no variant always runs first
        const t0 = process.hrtime.bigint();
        await variants[k].forward(c.inputs);
        times[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    const [base, left, relu] = times.map(median);
    const fmt = (ms) => ms.toFixed(ms < 10 ? 2 : 1).padStart(8);
    console.log(`${c.name.padEnd(20)}${c.size.padEnd(7)}${fmt(base)}     ${fmt(left)} (${(left / base).toFixed(2)})      ${fmt(relu)} (${(relu / base).toFixed(2)})`);
  }
}

main().catch((error) => {
  console.error(`bench/canonize: ${error.message}`);
  process.exit(1);
});
