#!/usr/bin/env node
// Dynamic batching, measured (docs/serve.md, docs/benchmarks.md): `lrp-node serve` under autocannon
// with batch-1 .npy requests at concurrency 1, 8 and 32, batching on (--max-batch 16) and off
// (--max-batch 1), in one run on this machine; then the API-level batcher against a loop of single
// explains. Prints requests/s, p50/p99 latency and the batched/unbatched ratio.
// With --soak: 20 000 requests at concurrency 32 on the first model instead, and the server's RSS
// after the first 1000 and at the end (goal: within 1.5×).
//   node bench/serve.js [--models vgg13_bn,resnet18_224] [--seconds 10] [--composite epsilon-plus-flat] [--soak]
// vgg13_bn is the shipped model (data/models, 64²); resnet18_224 is torchvision's ResNet-18 at 224²
// from bench/models/ (test/fixture_makers/make_bench_models.py), skipped when absent.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { parseArgs } = require('util');
const autocannon = require('autocannon');

const lrp = require('../dist');

const root = path.join(__dirname, '..');
const { values } = parseArgs({ options: { models: { type: 'string' }, seconds: { type: 'string' }, composite: { type: 'string' }, soak: { type: 'boolean' } } });
const seconds = Number(values.seconds ?? 10);
const composite = values.composite ?? 'epsilon-plus-flat';
const MODELS = {
  vgg13_bn: { file: path.join(root, 'data', 'models', 'vgg13_bn.pt'), shape: [1, 3, 64, 64] },
  // A batch of 16 at 224² takes seconds on a small CPU: loads last long enough for several.
  resnet18_224: { file: path.join(root, 'bench', 'models', 'resnet18.pt'), shape: [1, 3, 224, 224], minSeconds: 30 },
};
const names = (values.models ?? 'vgg13_bn,resnet18_224').split(',');

function startServer(model, config, maxBatch) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), 'serve', '--model', model, '--config', config,
      '--port', '0', '--max-batch', String(maxBatch), '--max-delay-ms', '5', '--max-queue', '1024'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code} before listening`)));
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}

function load(url, body, connections, amount, duration = seconds) {
  return new Promise((resolve, reject) => {
    const how = amount ? { amount } : { duration };
    autocannon({ url: `${url}/explain?target=argmax`, method: 'POST', body, connections, ...how, timeout: 300, headers: { 'content-type': 'application/x-npy' } },
      (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function sampleBody(spec) {
  return lrp.encodeNpy(new lrp.Tensor(Float32Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37)), spec.shape));
}

async function residentMb(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^lrp_serve_process_resident_memory_bytes (\S+)$/m.exec(text)[1]) / 2 ** 20;
}

async function soak(name, spec, tmp) {
  const config = path.join(tmp, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ composite }));
  const { child, url } = await startServer(spec.file, config, 16);
  const body = sampleBody(spec);
  const first = await load(url, body, 32, 1000);
  const early = await residentMb(url);
  const rest = await load(url, body, 32, 19000);
  const late = await residentMb(url);
  await stopServer(child);
  const errors = first.errors + first.non2xx + rest.errors + rest.non2xx;
  console.log(`${name} soak, 20 000 requests at concurrency 32: RSS ${early.toFixed(0)} MB after 1000, ${late.toFixed(0)} MB after 20 000 ` +
    `(${(late / early).toFixed(2)}×), ${errors} errors, ${rest.requests.average.toFixed(1)} req/s`);
}

async function serveRuns(name, spec, tmp) {
  const config = path.join(tmp, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ composite }));
  const body = sampleBody(spec);
  const rows = [];
  for (const connections of [1, 8, 32]) {
    const row = { connections };
    for (const [mode, maxBatch] of [['batched', 16], ['unbatched', 1]]) {
      const { child, url } = await startServer(spec.file, config, maxBatch);
      const duration = Math.max(seconds, spec.minSeconds ?? 0);
      await load(url, body, connections, undefined, Math.min(duration, 5)).catch(() => undefined);  // warm-up: first calls allocate
      const result = await load(url, body, connections, undefined, duration);
      await stopServer(child);
      row[mode] = { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
    }
    rows.push(row);
    const b = row.batched;
    const u = row.unbatched;
    console.log(`${name} c=${connections}: batched ${b.rps.toFixed(1)} req/s (p50 ${b.p50} ms, p99 ${b.p99} ms, ${b.errors} errors), ` +
      `unbatched ${u.rps.toFixed(1)} req/s (p50 ${u.p50} ms, p99 ${u.p99} ms, ${u.errors} errors): ${(b.rps / u.rps).toFixed(2)}×`);
  }
  return rows;
}

async function apiRun(name, spec) {
  const model = await lrp.loadModel(spec.file);
  const config = { composite };
  const requests = Array.from({ length: 128 }, (_, k) => new lrp.Tensor(
    Float32Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37 + k)), spec.shape));
  await model.explain(requests[0], { ...config, target: 0 });
  let start = process.hrtime.bigint();
  for (const x of requests) await model.explain(x, { ...config, target: 'argmax' });
  const loop = Number(process.hrtime.bigint() - start) / 1e9;
  const batcher = model.batcher({ config, maxBatch: 16, maxDelayMs: 5, maxQueue: 1024 });
  start = process.hrtime.bigint();
  await Promise.all(requests.map((x) => batcher.explain(x, { target: 'argmax' })));
  const batched = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${name} API, 128 concurrent batch-1 requests: loop of explains ${(128 / loop).toFixed(1)}/s, ` +
    `batcher ${(128 / batched).toFixed(1)}/s: ${(loop / batched).toFixed(2)}×`);
  model.dispose();
}

(async () => {
  console.log(`lrp-node ${lrp.versions().lrpNode}, libtorch ${lrp.versions().libtorch}, ${os.cpus().length} CPUs (${os.cpus()[0].model}), ${composite}, ${seconds} s per load`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-serve-bench-'));
  for (const name of names) {
    const spec = MODELS[name];
    if (!spec) throw new Error(`unknown model ${name} (known: ${Object.keys(MODELS).join(', ')})`);
    if (!fs.existsSync(spec.file)) {
      console.log(`${name}: ${spec.file} not found, skipped (test/fixture_makers/make_bench_models.py makes it)`);
      continue;
    }
    if (values.soak) {
      await soak(name, spec, tmp);
      break;
    }
    await serveRuns(name, spec, tmp);
    await apiRun(name, spec);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
