// Issue 11: no crash, no silent wrong answer, no lost or clobbered file. Each block is one item of
// the issue; every test here failed before its fix.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { heatmapPixels, loadModel, metrics, readImage, readNpy, Tensor, threads, writeNpy } from '../../lib';
import { removeTemporaryFiles, writeFileAtomic } from '../../lib/io/atomic_write';
import { CLI, MODELS, modelPath, pendingBeforeLoopTurns, rejection, REPO } from '../helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-reliability-'));
const vggInput = path.join(MODELS, 'vgg.input0.npy');

function lrpNode(args: string[], options: { uid?: number; gid?: number } = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000, ...options });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function oneLine(result: ReturnType<typeof lrpNode>, status: number, pattern: RegExp) {
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.status).toBe(status);
}

function writeJson(name: string, value: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

const vgg = loadModel(modelPath('vgg'));
const input = readNpy(vggInput);

describe('item 2: unknown keys and hiding coercions are errors', () => {
  test('a typo inside a rule names the key, where it is, and the known ones', async () => {
    const error = await rejection((await vgg).explain(await input, {
      target: 1, composite: 'epsilon-plus', rules: [{ layers: ['features.0'], rule: 'gamma', gama: 5 } as never],
    }));
    expect(error.code).toBe('LRP_BAD_ARGUMENT');
    expect(error.message).toBe("explain options: unknown key 'gama' in rules[0] (did you mean 'gamma'? known: layers, rule, gamma, stabilizer, zeroParams)");
  });

  test('a parameter of another rule or method is not silently ignored', async () => {
    const m = await vgg;
    const x = await input;
    expect((await rejection(m.explain(x, { target: 1, rules: [{ layers: ['features.0'], rule: 'epsilon', gamma: 5 }] }))).message)
      .toMatch(/unknown key 'gamma' in rules\[0\] \('gamma' does not apply to rule epsilon\)/);
    expect((await rejection(m.explain(x, { target: 1, composite: 'epsilon-plus', samples: 3 } as never)))
      .message).toMatch(/unknown key 'samples' \('samples' does not apply to method lrp\)/);
    expect((await rejection(m.explain(x, { target: 1, composite: 'epsilon-plus', gamma: 0.25, foo: 1 } as never))).message)
      .toMatch(/^explain options: unknown key 'foo' \(known: composite, epsilon, /);
    expect((await rejection(m.explainMany(x, 1, [{ composite: 'epsilon-plus' }, { composite: 'epsilon-plus', epsilonn: 1 } as never])))
      .message).toMatch(/^explain configs\[1\]: unknown key 'epsilonn' \(did you mean 'epsilon'\?/);
  });

  test.each([
    [{ method: 'smoothgrad', samples: 2.5 }, /samples must be a positive integer, got 2\.5/],
    [{ method: 'smoothgrad', maxBatch: 0 }, /maxBatch must be a positive integer, got 0/],
    [{ method: 'integrated-gradients', maxBatch: -4 }, /maxBatch must be a positive integer, got -4/],
    [{ method: 'smoothgrad', noiseLevel: -0.1 }, /noiseLevel must be a finite number ≥ 0, got -0\.1/],
    [{ method: 'smoothgrad', seed: '3' }, /seed must be a non-negative integer, got "3"/],
    [{ method: 'occlusion', window: [8, 8.5] }, /window\[1\] must be a positive integer, got 8\.5/],
    [{ composite: 'epsilon-gamma-box', low: 3, high: -3 }, /low must not exceed high, got low 3 > high -3/],
    [{ composite: 'epsilon-gamma-box', low: [-1, -1, 2], high: [1, 1, 1] }, /low must not exceed high \(channel 2\), got low 2 > high 1/],
    [{ rules: [{ layers: ['features.0'], rule: 'zbox', low: 0, high: [1, -1, 1] }] }, /rules\[0\]: low must not exceed high \(channel 1\)/],
    [{ composite: 'epsilon-plus', gamma: NaN }, /gamma must be a finite number ≥ 0, got NaN/],
    [{ composite: 'epsilon-plus', init: 'one-hot' }, /init must be onehot or logit, got "one-hot"/],
  ])('explain %j is rejected', async (options, pattern) => {
    const error = await rejection((await vgg).explain(await input, { target: 1, ...(options as object) }));
    expect(error.code).toBe('LRP_BAD_ARGUMENT');
    expect(error.message).toMatch(pattern);
  });

  test('loadModel, canonize and heatmap options reject unknown keys', async () => {
    expect((await rejection(loadModel(modelPath('vgg'), { devise: 'cpu' } as never))).message)
      .toMatch(/^loadModel options: unknown key 'devise' \(did you mean 'device'\? known: device, dtype, canonize/);
    expect((await rejection((await vgg).canonize({ order: 'left-first', biasMapInz: true } as never))).message)
      .toMatch(/unknown key 'biasMapInz' \(did you mean 'biasMapInZ'\?/);
    const relevance = Tensor.zeros([1, 1, 4, 4]);
    expect(() => heatmapPixels(relevance, { cmapp: 'bwr' } as never)).toThrow(/heatmap options: unknown key 'cmapp' \(did you mean 'cmap'\?/);
    expect(() => heatmapPixels(relevance, { cmap: 'no-such-map' })).toThrow(/cmap must be a colour map/);
    expect((await rejection(readImage('any.jpg', { sise: 32 } as never))).message)
      .toBe("readImage options: unknown key 'sise' (did you mean 'size'? known: size, mean, std)");
    expect((await rejection(readImage('any.jpg', { mean: [0.5, 0.5] as never }))).message)
      .toBe('readImage options: mean must be a list of 3 finite numbers, got [0.5,0.5]');
  });

  test('metric options: a typo in a metric\'s options, a coercion, masks that are not 0/1', async () => {
    const attributions = new Tensor(Float32Array.from({ length: 2 * 16 }, (_, i) => i % 5), [2, 1, 4, 4]);
    const masks = new Tensor(new Float32Array(2 * 16).fill(1), [2, 1, 4, 4]);
    expect((await rejection(metrics.evaluate({ metrics: ['rra'], attributions, masks, options: { rra: { normalize: 'max' } as never } })))
      .message).toMatch(/^evaluate options: unknown key 'normalize' in options\.rra \(did you mean 'normalise'\?/);
    expect((await rejection(metrics.evaluate({ metrics: ['sparseness'], attributions, seed: 1.5 })))
      .message).toMatch(/seed must be an integer ≥ 0 and ≤ 4294967295, got 1\.5/);
    expect((await rejection(metrics.evaluate({ metrics: ['sparseness'], attributions, seed: 2 ** 32 })))
      .message).toMatch(/seed must be an integer ≥ 0 and ≤ 4294967295, got 4294967296/);
    expect((await rejection(metrics.sparseness({ attributions, pol: 'sum' } as never))).message)
      .toMatch(/^sparseness options: unknown key 'pol' \(did you mean 'pool'\?/);
    masks.data[20] = 0.5;
    const error = await rejection(metrics.rra({ attributions, masks }));
    expect(error.code).toBe('LRP_BAD_INPUT');
    expect(error.message).toBe('masks must hold only 0 and 1; sample 1 has 0.5 (at flat index 4)');
  });

  test('the shared pool and seed, and per-metric options, reach the metrics that take them', async () => {
    const attributions = new Tensor(Float32Array.from({ length: 2 * 3 * 16 }, (_, i) => Math.sin(i * 1.7)), [2, 3, 4, 4]);
    const shared = await metrics.evaluate({ metrics: ['sparseness'], attributions, pool: 'max-norm' });
    const own = await metrics.evaluate({ metrics: ['sparseness'], attributions, options: { sparseness: { pool: 'max-norm' } } });
    const direct = await metrics.sparseness({ attributions, pool: 'max-norm' });
    expect(Array.from(shared.scores.sparseness!)).toEqual(Array.from(direct));
    expect(Array.from(own.scores.sparseness!)).toEqual(Array.from(direct));
    expect(Array.from((await metrics.evaluate({ metrics: ['sparseness'], attributions })).scores.sparseness!)).not.toEqual(Array.from(direct));
  });

  test('CLI: a typo in a rule or in a metric\'s options exits 1 and names it', () => {
    const out = path.join(tmp, 'typo.npy');
    const config = writeJson('typo.json', { composite: 'epsilon-plus', rules: [{ layers: ['features.0'], rule: 'gamma', gama: 5 }] });
    oneLine(lrpNode(['explain', '--model', modelPath('vgg'), '--input', vggInput, '--config', config, '--target', '1', '--out', out]),
      1, /typo\.json: unknown key 'gama' in rules\[0\] \(did you mean 'gamma'\?/);
    expect(fs.existsSync(out)).toBe(false);
    const mc = writeJson('typo-mc.json', {
      metrics: ['region-perturbation'], attributions: path.join(__dirname, '..', 'fixtures', 'quantus', 'pixel_flipping_attributions.npy'),
      model: modelPath('vgg'), input: vggInput, target: '1,2', options: { 'region-perturbation': { patchsize: 8 } },
    });
    const scores = path.join(tmp, 'typo-scores.json');
    oneLine(lrpNode(['metrics', '--config', mc, '--out', scores]), 1,
      /unknown key 'patchsize' in options\.region-perturbation \(did you mean 'patchSize'\?/);
    expect(fs.existsSync(scores)).toBe(false);
  });
});

describe('item 3: a non-finite relevance is never returned', () => {
  test('a zero stabilizer or epsilon is rejected up front', async () => {
    const m = await vgg;
    const x = await input;
    expect((await rejection(m.explain(x, { target: 1, composite: 'epsilon-plus', stabilizer: 0 }))).message)
      .toBe('explain options: stabilizer must be a finite number > 0, got 0');
    expect((await rejection(m.explain(x, { target: 1, rules: [{ layers: ['classifier.0'], rule: 'epsilon', epsilon: 0 }] }))).message)
      .toMatch(/rules\[0\]\.epsilon must be a finite number > 0, got 0/);
  });

  test('a stabilizer that vanishes in float32 fails with the likely cause, not a NaN result', async () => {
    const error = await rejection((await vgg).explain(await input, { target: 1, composite: 'epsilon-plus', stabilizer: 1e-300 }));
    expect(error.code).toBe('LRP_NOT_FINITE');
    expect(error.message).toMatch(/^the relevance has \d+ non-finite value\(s\) \(first: NaN in sample \d\): .*stabilizer\/epsilon in use: 1e-300/);
    expect(error.message).toMatch(/use a larger stabilizer or epsilon, or dtype float64/);
  });

  test('a forward that overflows is an error, not NaN logits', async () => {
    const x = Tensor.zeros([1, 3, 32, 32]);
    x.data.fill(3e38);
    const error = await rejection((await vgg).forward(x));
    expect(error.code).toBe('LRP_NOT_FINITE');
    expect(error.message).toBe("the model output has 10 non-finite value(s) (first: NaN in sample 0): the model overflowed: check the input's scale");
  });

  test('CLI: exit 1 and no relevance file', () => {
    const out = path.join(tmp, 'nan.npy');
    const config = writeJson('nan.json', { composite: 'epsilon-plus', stabilizer: 1e-300 });
    oneLine(lrpNode(['explain', '--model', modelPath('vgg'), '--input', vggInput, '--config', config, '--target', '1', '--out', out]),
      1, /non-finite value/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('item 4: outputs are written whole, and every option is checked before any compute', () => {
  test('a writer killed mid-write leaves no output file, only its temporary one', async () => {
    // A barrier, not a race: the child's fs is hooked so that the first write of bytes to any file
    // (through fs.promises.open's handle, fs.promises.writeFile or fs.writeFileSync) writes half the
    // bytes, says 'half' on stdout and waits; only then is it killed. An atomic writer has then
    // written half of its temporary file and nothing at the output path; a writer that writes the
    // output in place (mutant: writeFileAtomic as fs.writeFile(file)) leaves a half file there.
    const dir = fs.mkdtempSync(path.join(tmp, 'kill-'));
    const out = path.join(dir, 'big.npy');
    const values = 1024 * 1024;
    const dist = JSON.stringify(path.join(REPO, 'dist', 'index.js'));
    const script = `
      const fs = require('fs');
      const stop = (write) => { write(); process.stdout.write('half'); setInterval(() => {}, 1000); return new Promise(() => {}); };
      const half = (data) => (typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength)).subarray(0, Math.floor(data.length / 2));
      const open = fs.promises.open;
      fs.promises.open = async (...args) => {
        const handle = await open(...args);
        handle.writeFile = (data) => stop(() => fs.writeSync(handle.fd, half(data)));
        handle.write = (data) => stop(() => fs.writeSync(handle.fd, half(data)));
        return handle;
      };
      const writeFileSync = fs.writeFileSync;
      fs.promises.writeFile = (file, data) => stop(() => writeFileSync(file, half(data)));
      fs.writeFileSync = (file, data) => stop(() => writeFileSync(file, half(data)));
      const lrp = require(${dist});
      lrp.writeNpy(${JSON.stringify(out)}, new lrp.Tensor(new Float32Array(${values}).fill(1), [${values}]));`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let said = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk) => {
        said += chunk;
        if (said.includes('half')) resolve();
      });
      void exited.then(() => resolve());
    });
    child.kill('SIGKILL');
    await exited;
    // Precondition: the writer reached the barrier (it did not exit or write some other way).
    expect(said).toBe('half');
    expect(fs.existsSync(out)).toBe(false);
    const left = fs.readdirSync(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.big\.npy\.\d+\.[0-9a-f]{12}\.tmp$/);
    expect(fs.statSync(path.join(dir, left[0])).size).toBe((128 + values * 4) / 2);
  });

  test('writeNpy replaces a file atomically and leaves no temporary file', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'atomic-'));
    const out = path.join(dir, 'x.npy');
    fs.writeFileSync(out, 'old');
    await writeNpy(out, Tensor.zeros([2, 3]));
    expect(fs.readdirSync(dir)).toEqual(['x.npy']);
    expect((await readNpy(out)).shape).toEqual([2, 3]);
    const error = await rejection(writeNpy(path.join(dir, 'missing', 'y.npy'), Tensor.zeros([1])));
    expect(error.code).toBe('LRP_WRITE_FAILED');
    expect(fs.readdirSync(dir)).toEqual(['x.npy']);
  });

  test('an interrupted write removes its temporary file (the CLI does it on SIGINT/SIGTERM)', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'interrupt-'));
    const appeared = new Promise<void>((resolve) => {
      const watcher = fs.watch(dir, () => {
        watcher.close();
        resolve();
      });
    });
    const writing = writeFileAtomic(path.join(dir, 'big.bin'), new Uint8Array(16 * 1024 * 1024));
    await appeared;
    removeTemporaryFiles();
    const error = await rejection(writing);
    expect(error.code).toBe('LRP_WRITE_FAILED');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test.each([
    [['--png', 'PNG', '--cmap', 'nope'], /cmap must be a colour map/, 1],
    [['--png', 'PNG', '--pool', 'none'], /pool must be sum, pos-l2-norm-sq or max-norm, got "none"/, 1],
    [['--png', path.join('no-such-folder', 'r.png')], /the folder .*no-such-folder does not exist/, 1],
    [['--cmap', 'bwr'], /--cmap needs --png/, 2],
  ])('explain %j fails before --out and --logits are written', (extra, pattern, status) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'early-'));
    const config = writeJson('early.json', { composite: 'epsilon-plus' });
    const args = (extra as string[]).map((a) => (a === 'PNG' ? path.join(dir, 'r.png') : a.startsWith('no-such') ? path.join(dir, a) : a));
    const result = lrpNode(['explain', '--model', modelPath('vgg'), '--input', vggInput, '--config', config, '--target', '1',
      '--out', path.join(dir, 'r.npy'), '--logits', path.join(dir, 'y.npy'), ...args]);
    oneLine(result, status as number, pattern as RegExp);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a heatmap that cannot be drawn (a relevance without image axes) leaves no output written', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'flat-'));
    const canonize = path.join(__dirname, '..', 'fixtures', 'canonize');
    const config = writeJson('flat.json', { composite: 'epsilon-plus' });
    oneLine(lrpNode(['explain', '--model', path.join(canonize, 'linear_bn1d.pt'), '--input', path.join(canonize, 'linear_bn1d.input0.npy'),
      '--config', config, '--target', '0', '--out', path.join(dir, 'r.npy'), '--logits', path.join(dir, 'y.npy'), '--png', path.join(dir, 'r.png')]),
    1, /an attribution must be \(N, C, H, W\) or \(N, H, W\)/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('an existing read-only output is refused, not replaced', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'readonly-'));
    const out = path.join(dir, 'y.npy');
    fs.writeFileSync(out, 'keep');
    fs.chmodSync(out, 0o444);
    fs.chmodSync(dir, 0o777);
    fs.chmodSync(tmp, 0o755);
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    oneLine(lrpNode(['forward', '--model', modelPath('vgg'), '--input', vggInput, '--out', out], asUser), 1, /y\.npy exists and is read-only/);
    expect(fs.readFileSync(out, 'utf8')).toBe('keep');
  });

  test('an output folder that is not writable fails before compute and leaves no file behind', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'ro-'));
    const blocked = path.join(dir, 'blocked');
    fs.mkdirSync(blocked);
    fs.chmodSync(blocked, 0o555);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(tmp, 0o755);
    // As root every folder is writable; the check then runs as an unprivileged user.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const config = writeJson('ro.json', { composite: 'epsilon-plus' });
    fs.chmodSync(config, 0o644);
    oneLine(lrpNode(['forward', '--model', modelPath('vgg'), '--input', vggInput, '--out', path.join(blocked, 'y.npy')], asUser),
      1, /blocked\/y\.npy: the folder .*blocked is not writable \(EACCES\)/);
    expect(fs.readdirSync(blocked)).toEqual([]);
  });
});

describe('item 5: an output never overwrites an input or another output', () => {
  const keep = (name: string, from: string) => {
    const file = path.join(tmp, name);
    fs.copyFileSync(from, file);
    return file;
  };

  test.each(['input', 'model', 'config'])('explain --out equal to --%s exits 2 and leaves it intact', (which) => {
    const model = keep(`m-${which}.pt`, modelPath('vgg'));
    const x = keep(`x-${which}.npy`, vggInput);
    const config = writeJson(`c-${which}.json`, { composite: 'epsilon-plus' });
    const victim = { input: x, model, config }[which] as string;
    const before = fs.readFileSync(victim);
    oneLine(lrpNode(['explain', '--model', model, '--input', x, '--config', config, '--target', '1', '--out', victim]),
      2, new RegExp(`--out .* is the same file as --${which} .*refusing to overwrite an input`));
    expect(fs.readFileSync(victim).equals(before)).toBe(true);
  });

  test('through a symbolic link, and --logits equal to --out', () => {
    const x = keep('x-link.npy', vggInput);
    const link = path.join(tmp, 'x-link-alias.npy');
    fs.symlinkSync(x, link);
    const config = writeJson('c-link.json', { composite: 'epsilon-plus' });
    oneLine(lrpNode(['forward', '--model', modelPath('vgg'), '--input', x, '--out', link]), 2, /is the same file as --input/);
    const out = path.join(tmp, 'same-out.npy');
    oneLine(lrpNode(['explain', '--model', modelPath('vgg'), '--input', x, '--config', config, '--target', '1', '--out', out,
      '--logits', path.join(tmp, '.', 'same-out.npy')]), 2, /--logits .* is the same file as --out .*two outputs cannot share a file/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('metrics --out equal to its config or its attributions exits 2', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'mc-'));
    fs.copyFileSync(path.join(__dirname, '..', 'fixtures', 'quantus', 'attributions.npy'), path.join(dir, 'A.npy'));
    const mc = path.join(dir, 'MC.json');
    fs.writeFileSync(mc, JSON.stringify({ metrics: ['sparseness'], attributions: 'A.npy' }));
    const before = fs.readFileSync(path.join(dir, 'A.npy'));
    oneLine(lrpNode(['metrics', '--config', mc, '--out', path.join(dir, 'A.npy')]), 2, /is the same file as .*MC\.json: attributions/);
    oneLine(lrpNode(['metrics', '--config', mc, '--out', mc]), 2, /is the same file as --config/);
    expect(fs.readFileSync(path.join(dir, 'A.npy')).equals(before)).toBe(true);
  });
});

describe('item 6: metric targets are checked as explain checks them, before compute', () => {
  test.each(['region-perturbation', 'pixel-flipping', 'faithfulness-correlation'] as const)('%s with a target ≥ the classes', async (name) => {
    const attributions = await readNpy(path.join(__dirname, '..', 'fixtures', 'quantus', 'pixel_flipping_attributions.npy'));
    let progressed = 0;
    const error = await rejection(metrics.evaluate({
      metrics: [name], model: await vgg, inputs: await input, targets: [1, 10], attributions, onProgress: () => progressed++,
    }));
    expect(error.message).toBe('target 10 of sample 1 is not a class index (the model has 10 classes)');
    expect(progressed).toBe(0);
    expect((await rejection(metrics.evaluate({ metrics: [name], model: await vgg, inputs: await input, targets: [1], attributions })))
      .message).toBe('got 1 targets for a batch of 2');
    expect((await rejection(metrics.evaluate({ metrics: [name], model: await vgg, inputs: await input, targets: [1, 2.5], attributions })))
      .message).toMatch(/targets\[1\] must be a non-negative integer, got 2\.5/);
  });

  test('the metric functions of the API check them too', async () => {
    const attributions = Tensor.zeros([2, 1, 32, 32]);
    const args = { model: await vgg, inputs: await input, targets: [1, 11], attributions };
    for (const call of [metrics.pixelFlipping(args), metrics.regionPerturbation(args), metrics.faithfulnessCorrelation(args)]) {
      expect((await rejection(call)).message).toBe('target 11 of sample 1 is not a class index (the model has 10 classes)');
    }
  });

  test('CLI: exit 1, nothing written', () => {
    const mc = writeJson('target-mc.json', {
      metrics: ['pixel-flipping'], attributions: path.join(__dirname, '..', 'fixtures', 'quantus', 'pixel_flipping_attributions.npy'),
      model: modelPath('vgg'), input: vggInput, target: '1,12',
    });
    const out = path.join(tmp, 'target-scores.json');
    oneLine(lrpNode(['metrics', '--config', mc, '--out', out]), 1, /target 12 of sample 1 is not a class index \(the model has 10 classes\)/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('item 10: small ones', () => {
  test('an empty batch says so', async () => {
    const empty = new Tensor(new Float32Array(0), [0, 3, 32, 32]);
    for (const call of [(await vgg).forward(empty), (await vgg).explain(empty, { target: 1, composite: 'epsilon-plus' })]) {
      const error = await rejection(call);
      expect(error.code).toBe('LRP_BAD_INPUT');
      expect(error.message).toBe('the batch is empty: input 0 has shape [0,3,32,32] (no sample)');
    }
  });

  test('inputs with different batch sizes, and an occlusion window larger than the input, name what was given', async () => {
    const rn = await loadModel(modelPath('relation_net'));
    const image = await readNpy(path.join(MODELS, 'relation_net.input0.npy'));
    const error = await rejection(rn.explain([image, Tensor.zeros([3, 6])], { target: 1, composite: 'epsilon-plus' }));
    expect(error.message).toBe('the inputs have different batch sizes: input 0 has 2 samples (shape [2,3,32,32]), input 1 has 3 (shape [3,6])');
    const occlusion = await rejection((await vgg).explain(await input, { target: 1, method: 'occlusion', window: [40, 40] }));
    expect(occlusion.message).toBe("occlusion window [40,40] is larger than the input's last 2 dimension(s) [32,32] (input shape [2,3,32,32])");
    const stride = await rejection((await vgg).explain(await input, { target: 1, method: 'occlusion', stride: [1, 1, 1, 1] }));
    expect(stride.message).toMatch(/occlusion stride \[1,1,1,1\] has 4 sizes, but the input \[2,3,32,32\] has only 3 dimensions after the batch/);
  });

  test('a metric on inputs the model cannot take names the user\'s batch, not the perturbation batch', async () => {
    const x = Tensor.zeros([2, 4, 32, 32]);
    const attributions = Tensor.zeros([2, 1, 32, 32]);
    const error = await rejection(metrics.evaluate({ metrics: ['pixel-flipping'], model: await vgg, inputs: x, targets: [1, 2], attributions }));
    expect(error.message).toMatch(/input 0 \('x'\) has shape \[2,4,32,32\]/);
  });

  test('threads(n) is bounded', () => {
    const current = threads();
    for (const bad of [0, -1, 1.5, NaN, 100000]) expect(() => threads(bad)).toThrow(/threads\(n\): n must be an integer from 1 to \d+/);
    expect(threads(current)).toBe(current);
  });

  test('`lrp-node <command> --help` prints that command\'s usage and exits 0', () => {
    for (const command of ['inspect', 'forward', 'explain', 'metrics']) {
      const result = lrpNode([command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage:\\n  lrp-node ${command} `));
      expect(result.stderr).toBe('');
    }
  });

  test('a reader that closes the pipe early is not an error', async () => {
    const child = spawn(process.execPath, [CLI, 'inspect', '--model', modelPath('densenet'), '--json']);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.destroy();
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  test('a config path that is a folder says so (not "not found")', () => {
    oneLine(lrpNode(['forward', '--model', modelPath('vgg'), '--input', vggInput, '--config', tmp, '--out', path.join(tmp, 'f.npy')]),
      1, /config file .* is a folder, not a file/);
  });

  test('a model the user may not read is a permission error, not "not a TorchScript file"', () => {
    const locked = path.join(tmp, 'locked.pt');
    fs.copyFileSync(modelPath('vgg'), locked);
    fs.chmodSync(locked, 0o000);
    fs.chmodSync(tmp, 0o755);
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    oneLine(lrpNode(['inspect', '--model', locked], asUser), 1, /model file .*locked\.pt: permission denied \(this user may not read it\)/);
  });
});

describe('concurrency (keep): 50 concurrent explains on one model', () => {
  test('are bitwise equal to sequential ones, and the event loop keeps turning', async () => {
    const m = await vgg;
    const x = await input;
    const options = (k: number) => ({ target: [k % 10, (k + 3) % 10], composite: 'epsilon-plus-flat' as const });
    const sequential: Float32Array[] = [];
    for (let k = 0; k < 50; k++) sequential.push((await m.explain(x, options(k))).relevance.data);
    // The 50 calls return at once and complete through the event loop: pending once the
    // microtasks have run (calls that ran on the JS thread would be settled; no clock, no count).
    const all = Promise.all(Array.from({ length: 50 }, (_, k) => m.explain(x, options(k))));
    expect(await pendingBeforeLoopTurns(all)).toBe(true);
    const concurrent = await all;
    concurrent.forEach((e, k) => expect(Buffer.from(e.relevance.data.buffer).equals(Buffer.from(sequential[k].buffer))).toBe(true));
  });
});

afterAll(() => {
  for (const entry of fs.readdirSync(tmp)) {
    const file = path.join(tmp, entry);
    try {
      fs.chmodSync(file, 0o755);
    } catch {
      // a dangling link
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

