#!/usr/bin/env node
// explain --data and search on a BullMQ queue: images/s (explain) and configurations/s (search)
// with 1 and with 2 `lrp-node worker` processes (1 libtorch thread each) on the same queue, against
// the same work done locally (1 thread), and the cost per job of going through Redis. Starts its
// own redis-server on a free port.
//   node bench/queue.js [--model test/fixtures/models/vgg_bn.pt] [--size 32] [--images 256] [--batch 16] [--repeats 3]
//                       [--samples 8] [--job-size 4] [--part explain|search]
'use strict';

const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { parseArgs } = require('util');
const sharp = require('sharp');

const lrp = require('../dist');
const { submitExplainFolder } = require('../dist/queue/submit');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const { values } = parseArgs({
  options: {
    model: { type: 'string' }, size: { type: 'string' }, images: { type: 'string' }, batch: { type: 'string' }, repeats: { type: 'string' },
    samples: { type: 'string' }, 'job-size': { type: 'string' }, part: { type: 'string' },
  },
});
const modelFile = path.resolve(values.model ?? path.join(root, 'test', 'fixtures', 'models', 'vgg_bn.pt'));
const size = Number(values.size ?? 32);
const count = Number(values.images ?? 256);
const batch = Number(values.batch ?? 16);
const repeats = Number(values.repeats ?? 3);
const samples = Number(values.samples ?? 8);
const jobSize = Number(values['job-size'] ?? 4);
const parts = values.part ? [values.part] : ['explain', 'search'];
const config = { composite: 'epsilon-plus-flat', canonize: true };
const preprocessing = { size, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function until(check, what) {
  const end = Date.now() + 30000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startWorkers(n, url, queue) {
  const workers = [];
  for (let i = 0; i < n; i++) {
    const worker = spawn(process.execPath, [cli, 'worker', '--redis', url, '--queue', queue, '--threads', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    worker.stdout.on('data', (chunk) => (out += chunk));
    await until(() => out.includes('taking jobs'), 'a worker');
    workers.push(worker);
  }
  return workers;
}

async function stopWorkers(workers) {
  await Promise.all(workers.map((w) => new Promise((resolve) => {
    w.on('exit', resolve);
    w.kill('SIGTERM');
  })));
}

async function best(fn) {
  await fn();
  let fastest = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return fastest;
}

/**
 * A γ search on `samples` random inputs: 3 groups × 3 values × 2 canonize settings = 54
 * configurations, five metrics at small settings (the search tests' kind of run, larger).
 */
async function searchConfig(dir) {
  const x = Float32Array.from({ length: samples * 3 * size * size }, (_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 0.011));
  await lrp.writeNpy(path.join(dir, 'x.npy'), new lrp.Tensor(x, [samples, 3, size, size]));
  return {
    model: modelFile, input: path.join(dir, 'x.npy'), target: Array.from({ length: samples }, (_, i) => i % 10).join(','), seed: 1,
    metrics: ['sparseness', 'complexity', 'pixel-flipping', 'avg-sensitivity', 'random-logit'],
    options: { 'pixel-flipping': { featuresInStep: 256 }, 'avg-sensitivity': { nrSamples: 3 } },
    base: { composite: 'name-map', rules: [{ layers: ['classifier.3', 'classifier.6'], rule: 'epsilon' }] },
    groups: { low: ['features.0', 'features.4'], high: ['features.8', 'features.11'], head: ['classifier.0'] },
    space: { rule: 'gamma', values: [0, 0.25, 1], canonize: [false, true] },
    strategy: { kind: 'grid' },
  };
}

/** Runs a search to its end; returns the number of configurations evaluated. */
async function runSearch(options) {
  const run = lrp.search(options);
  for (let next = await run.next(); ; next = await run.next()) if (next.done) return next.value.evaluated;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-queue-bench-'));
  const data = path.join(tmp, 'images');
  fs.mkdirSync(data);
  for (let i = 0; i < (parts.includes('explain') ? count : 0); i++) {
    const pixels = Buffer.from(Array.from({ length: size * size * 3 }, (_, p) => (p * (i + 3) + i * 17) & 255));
    await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path.join(data, `${String(i).padStart(5, '0')}.png`));
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    await until(() => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 'redis-server');
    lrp.threads(1);
    const model = await lrp.loadModel(modelFile);
    if (parts.includes('explain')) {
      const folder = { data, config, preprocessing, target: 'argmax', batch };
      const local = await best(async () => {
        for await (const result of lrp.explainFolder({ ...folder, model, outDir: path.join(tmp, 'local') })) if (result.status !== 'done') throw new Error(result.reason);
      });
      const queued = {};
      for (const n of [1, 2]) {
        const queue = `bench-${n}`;
        const workers = await startWorkers(n, url, queue);
        queued[n] = await best(async () => {
          const summary = await submitExplainFolder({ ...folder, redis: url, queue, modelPath: modelFile, outDir: path.join(tmp, `queued-${n}`) });
          if (summary.done !== count) throw new Error(`queue run explained ${summary.done} of ${count}`);
        });
        await stopWorkers(workers);
      }
      const jobs = Math.ceil(count / batch);
      const rate = (s) => `${(count / s).toFixed(1).padStart(8)} images/s`;
      console.log(`${path.basename(modelFile)}, ${count} PNGs ${size}x${size}, batch ${batch} (${jobs} jobs), EpsilonPlusFlat + canonize, ` +
        `1 thread per process, ${os.cpus().length} CPUs (load average ${os.loadavg()[0].toFixed(1)}), best of ${repeats}`);
      console.log(`local (explainFolder, one process)  ${rate(local)}`);
      console.log(`queue, 1 worker                     ${rate(queued[1])}`);
      console.log(`queue, 2 workers                    ${rate(queued[2])}   (${(queued[1] / queued[2]).toFixed(2)}x 1 worker)`);
      console.log(`overhead per job, 1 worker vs local ${(((queued[1] - local) / jobs) * 1000).toFixed(1)} ms`);
    }
    if (parts.includes('search')) {
      const spec = await searchConfig(tmp);
      let configurations = 0;
      const searchLocal = await best(async () => (configurations = await runSearch({ config: spec })));
      // The same search here, sharing work as a job does: jobSize configurations per explainMany
      // (memoryBytes that hold that many configurations' attributions and random-logit explanations).
      const chunked = await best(() => runSearch({ config: spec, memoryBytes: jobSize * samples * 3 * size * size * 4 * 2 }));
      const searched = {};
      for (const n of [1, 2]) {
        const queue = `bench-search-${n}`;
        const workers = await startWorkers(n, url, queue);
        searched[n] = await best(() => runSearch({ config: spec, redis: url, queue, jobSize }));
        await stopWorkers(workers);
      }
      const searchJobs = Math.ceil(configurations / jobSize);
      const perSecond = (s) => `${(configurations / s).toFixed(2).padStart(8)} configurations/s`;
      console.log(`search: ${configurations} configurations (γ, 3 groups, canonize no/yes), ${samples} samples ${size}x${size}, ` +
        `5 metrics, ${jobSize} configurations per job (${searchJobs} jobs), 1 thread per process, load average ${os.loadavg()[0].toFixed(1)}, best of ${repeats}`);
      console.log(`local (search(), one process)       ${perSecond(searchLocal)}`);
      console.log(`local, ${jobSize} configurations per chunk   ${perSecond(chunked)}`);
      console.log(`queue, 1 worker                     ${perSecond(searched[1])}`);
      console.log(`queue, 2 workers                    ${perSecond(searched[2])}   (${(searched[1] / searched[2]).toFixed(2)}x 1 worker)`);
      console.log(`overhead per job, 1 worker vs local ${(((searched[1] - searchLocal) / searchJobs) * 1000).toFixed(1)} ms ` +
        `(${(((searched[1] - chunked) / searchJobs) * 1000).toFixed(1)} ms vs local in chunks of ${jobSize})`);
    }
    model.dispose();
  } finally {
    redis.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
