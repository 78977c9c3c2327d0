// A model's life in a service: workers that stop mid-call, dispose(), memory the GC is told of,
// the tensor cache, queued calls that must not starve Node's thread pool, and archives whose code
// would run at load. Each test failed before its fix (issue 11 items 1, 7, 8, 9).
import { spawnSync } from 'child_process';
import { promises as fs } from 'fs';
import * as path from 'path';

import { loadModel, releaseCachedMemory, Tensor } from '../../lib';
import { fixtureInputs, MODELS, modelPath, REPO } from '../helpers';

const DIST = JSON.stringify(path.join(REPO, 'dist', 'index.js'));

function node(script: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120000 });
}

function batchOf(n: number, size: number): Tensor {
  const t = Tensor.zeros([n, 3, size, size]);
  for (let i = 0; i < t.data.length; i++) t.data[i] = Math.sin(i * 0.37);
  return t;
}

describe('a worker thread that stops mid-call', () => {
  // Before: the process aborted (exit 134, "terminate called after throwing an instance of
  // 'Napi::Error'") when the worker's environment went away with an explain in flight.
  const script = (stop: string) => `
    const { Worker } = require('worker_threads');
    const lrp = require(${DIST});
    const source = \`
      const { parentPort, workerData } = require('worker_threads');
      const lrp = require(${DIST});
      lrp.loadModel(workerData.model).then((m) => {
        const x = { data: new Float32Array(8 * 3 * 96 * 96).fill(0.5), shape: [8, 3, 96, 96] };
        for (let k = 0; k < 6; k++) m.explain(x, { target: 1, composite: 'epsilon-plus-flat' }).catch(() => {});
        parentPort.postMessage('started');
        ${stop}
      });\`;
    const worker = new Worker(source, { eval: true, workerData: { model: ${JSON.stringify(modelPath('vgg_bn'))} } });
    worker.on('message', () => { if (${stop === '' ? 'true' : 'false'}) worker.terminate(); });
    worker.on('exit', async () => {
      const m = await lrp.loadModel(${JSON.stringify(modelPath('vgg_bn'))});
      const x = { data: new Float32Array(2 * 3 * 32 * 32).fill(0.25), shape: [2, 3, 32, 32] };
      const { relevance } = await m.explain(x, { target: 1, composite: 'epsilon-plus-flat' });
      console.log('main thread still works', relevance.shape.join('x'));
    });`;

  test('worker.terminate() with explains in flight leaves the process running', () => {
    const run = node(script(''));
    expect(run.stderr).not.toContain('terminate called');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('main thread still works 2x3x32x32');
  });

  test('process.exit() inside the worker with explains in flight leaves the process running', () => {
    const run = node(script('process.exit(0);'));
    expect(run.stderr).not.toContain('terminate called');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('main thread still works 2x3x32x32');
  });
});

describe('dispose and memory', () => {
  test('dispose() is idempotent and every later call rejects with LRP_DISPOSED', async () => {
    const model = await loadModel(modelPath('vgg_bn'));
    const [x] = await fixtureInputs('vgg_bn');
    await model.explain(x, { target: 1, composite: 'epsilon-plus', canonize: true });
    model.dispose();
    model.dispose();
    await expect(model.forward(x)).rejects.toMatchObject({ code: 'LRP_DISPOSED' });
    await expect(model.explain(x, { target: 1, composite: 'epsilon-plus', canonize: true })).rejects.toMatchObject({ code: 'LRP_DISPOSED' });
    await expect(model.canonize()).rejects.toMatchObject({ code: 'LRP_DISPOSED' });
    expect(model.layers.length).toBeGreaterThan(0);  // the description stays readable
  });

  test('dispose() also disposes the canonized copies explain made and cached', async () => {
    // Mutant caught: dispose() leaving the cached canonized models alive (lib/model.ts), holding a
    // second copy of the weights until the GC collects them. (The external memory the binding
    // reports to V8 is not visible in process.memoryUsage() on Node 20, so the copy itself is
    // asked: once disposed, it refuses every call.)
    const model = await loadModel(modelPath('vgg_bn'));
    const [x] = await fixtureInputs('vgg_bn');
    await model.explain(x, { target: 1, composite: 'epsilon-plus', canonize: true });
    const cached = [...(model as unknown as { canonized: Map<string, Promise<typeof model>> }).canonized.values()];
    expect(cached).toHaveLength(1);
    const copy = await cached[0];
    await expect(copy.forward(x)).resolves.toMatchObject({ shape: [2, 10] });
    model.dispose();
    await new Promise((resolve) => setImmediate(resolve));
    await expect(copy.forward(x)).rejects.toMatchObject({ code: 'LRP_DISPOSED' });
  });

  test('calls in flight finish when the model is disposed under them', async () => {
    const model = await loadModel(modelPath('vgg_bn'));
    const pending = model.forward(batchOf(4, 64));
    model.dispose();
    await expect(pending).resolves.toMatchObject({ shape: [4, 10] });
  });

  test('releaseCachedMemory() returns the tensor cache to the system', async () => {
    const model = await loadModel(modelPath('vgg_bn'));
    await model.explain(batchOf(8, 96), { target: 1, composite: 'epsilon-plus-flat' });
    releaseCachedMemory();
    await model.explain(batchOf(8, 96), { target: 1, composite: 'epsilon-plus-flat' });
    expect(releaseCachedMemory()).toBeGreaterThanOrEqual(1 << 20);  // freed activations of 1 MB and more were kept
    expect(releaseCachedMemory()).toBe(0);
  });

  test('an invalid LRP_NODE_CPU_CACHE_MB is one clear error, not a silently disabled cache', () => {
    const run = node(`require(${DIST}).loadModel(${JSON.stringify(modelPath('vgg'))}).then(() => console.log('loaded'), (e) => console.log(e.code, e.message))`,
      { LRP_NODE_CPU_CACHE_MB: '2GB' });
    expect(run.stdout).toContain("LRP_BAD_ARGUMENT LRP_NODE_CPU_CACHE_MB must be a whole number of megabytes");
    expect(run.stdout).toContain("'2GB'");
  });
});

describe("queued native calls do not hold Node's thread pool", () => {
  test('explains complete while every thread of the pool is blocked', () => {
    // A barrier, not a race: in a child process, each of the libuv pool's threads is blocked in
    // open() of a named pipe that has no writer yet; only then are 8 explains started. Calls that
    // held a pool thread while they waited for the compute thread (the bug of issue 11 item 9, the
    // mutant this catches) cannot even start, so they cannot finish until the pipes are opened for
    // writing, which the script does only after the explains settle or after 60 s.
    const script = `
      const fs = require('fs');
      const path = require('path');
      const { execFileSync } = require('child_process');
      const lrp = require(${DIST});
      const threads = Number(process.env.UV_THREADPOOL_SIZE || 4);
      const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'lrp-pool-'));
      lrp.loadModel(${JSON.stringify(modelPath('vgg_bn'))}).then(async (model) => {
        const x = { data: new Float32Array(2 * 3 * 32 * 32).fill(0.5), shape: [2, 3, 32, 32] };
        await model.explain(x, { target: 1, composite: 'epsilon-plus-flat' });
        const pipes = Array.from({ length: threads }, (_, k) => path.join(dir, 'pipe' + k));
        for (const pipe of pipes) execFileSync('mkfifo', [pipe]);
        const blocked = pipes.map((pipe) => fs.promises.open(pipe, 'r'));
        // Each open() sits on a pool thread until its pipe gets a writer: the pool is full now.
        const release = () => pipes.forEach((pipe) => fs.closeSync(fs.openSync(pipe, 'w')));
        const timer = setTimeout(() => { console.log('timeout'); release(); }, 60000);
        await Promise.all(Array.from({ length: 8 }, () => model.explain(x, { target: 1, composite: 'epsilon-plus-flat' })));
        console.log('explained');
        clearTimeout(timer);
        release();
        await Promise.all(blocked.map((p) => p.then((handle) => handle.close())));
        console.log('released');
      });`;
    const run = node(script);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual(['explained', 'released']);
  });
});

describe('archives whose code runs while they load', () => {
  const file = path.join(MODELS, 'code_at_load.pt');  // test/fixture_makers/make_code_at_load_model.py

  test('are refused by default, naming __setstate__, and nothing of their code runs', async () => {
    const run = node(`require(${DIST}).loadModel(${JSON.stringify(file)}).then(() => console.log('loaded'), (e) => console.log(e.code, e.message))`);
    expect(run.stdout).not.toContain('code ran while loading');
    expect(run.stdout).toMatch(/^LRP_LOAD_FAILED refusing to load .*code_at_load\.pt: its code .* defines __setstate__/);
  });

  test('with trustCode: true they reach torch.jit.load, which runs their code', () => {
    const run = node(`require(${DIST}).loadModel(${JSON.stringify(file)}, { trustCode: true }).then(() => console.log('loaded'), (e) => console.log(e.code, e.message))`);
    expect(run.stdout).toContain('code ran while loading');
    expect(run.stdout).not.toContain('refusing to load');
  });

  test('the CLI refuses them with one line and exit 1, and --trust-code lets them through', () => {
    const cli = (extra: string[]) => spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli', 'main.js'), 'inspect', '--model', file, ...extra], { encoding: 'utf8' });
    const refused = cli([]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('defines __setstate__');
    expect(refused.stdout).toBe('');
    const trusted = cli(['--trust-code']);
    expect(trusted.stdout).toContain('code ran while loading');
    expect(trusted.stderr).not.toContain('refusing to load');
  });
});
