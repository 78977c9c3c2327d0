// Issue 30 item 2: an interrupt (SIGINT, SIGTERM) during search, evaluate (and halving) or
// `explain --data`, and process.exit() from the API, while a native call runs. Before: exit 139
// (SIGSEGV) in most tries, the exit path tearing libtorch down under the compute thread. Now the
// exit code is the handler's (130, 143, or the one passed to process.exit) and the output resumes.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';

import { CLI, modelPath, REPO } from '../helpers';
import { dataKeys, makeSearchData, SEARCH_SPACE, writeConfig } from '../helpers/search_data';

/** True once a file under `dir` was written after `since` (this run has loaded and started). */
function writtenSince(dir: string, since: number): boolean {
  if (!fs.existsSync(dir)) return false;
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).some((e) => e.isFile() && fs.statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs > since);
}

/** Runs the CLI, sends `signal` `delayMs` after it wrote into `out`, and returns its exit. */
function interrupted(args: string[], signal: NodeJS.Signals, delayMs: number, out: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const since = Date.now();
    const ready = () => writtenSince(out, since);
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let kill: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      if (!ready()) return;
      clearInterval(poll);
      kill = setTimeout(() => child.kill(signal), delayMs);
    }, 20);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      clearTimeout(kill);
      resolve({ code, signal: sig, stderr });
    });
  });
}

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

const EXPECTED = { SIGINT: 130, SIGTERM: 143 } as const;
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** stderr less the warnings of a resume that drops a line cut by the previous interrupt. */
function unexpected(stderr: string): string {
  return stderr.split('\n').filter((l) => l !== '' && !/warning: .* dropped/.test(l)).join('\n');
}

let dir: string;
beforeAll(async () => {
  ({ dir } = await makeSearchData());
});

describe('a signal while a native call runs ends the CLI with 130/143 and a resumable output', () => {
  test('search (grid and halving), many times, then --resume completes the run', async () => {
    const grid = writeConfig(dir, 'SC.json', { ...dataKeys(dir), ...SEARCH_SPACE });
    const halving = writeConfig(dir, 'SC_halving.json', { ...dataKeys(dir), ...SEARCH_SPACE, strategy: { kind: 'halving', eta: 2 } });
    for (const [config, name] of [[grid, 'grid'], [halving, 'halving']]) {
      const out = path.join(dir, `interrupted_${name}`);
      const results = path.join(out, 'results.jsonl');
      // Signalled after the model loaded (run.json written), while configurations are computed.
      for (let k = 0; k < 4; k++) {
        const signal = SIGNALS[k % 2];
        const run = await interrupted(['search', '--config', config, '--out', out, ...(k > 0 ? ['--resume'] : [])], signal,
          50 + 150 * k, out);
        expect({ signal: run.signal, code: run.code, stderr: unexpected(run.stderr) }).toEqual({ signal: null, code: EXPECTED[signal], stderr: '' });
        const held = lines(results);
        held.slice(0, -1).forEach((l) => expect(() => JSON.parse(l)).not.toThrow());
      }
      const resumed = spawnSync(process.execPath, [CLI, 'search', '--config', config, '--out', out, '--resume'], { encoding: 'utf8', timeout: 120000 });
      expect(unexpected(resumed.stderr)).toBe('');
      expect(resumed.status).toBe(0);
      const ids = lines(results).map((l) => JSON.parse(l) as { id: string; samples: number });
      expect(new Set(ids.map((l) => `${l.id}@${l.samples}`)).size).toBe(ids.length);
      if (name === 'grid') expect(ids).toHaveLength(16);
      expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).evaluated).toBeGreaterThan(0);
    }
  }, 240000);

  test('evaluate', async () => {
    const config = writeConfig(dir, 'EC.json', {
      ...dataKeys(dir),
      explainers: { eps: { composite: 'epsilon-plus-flat' }, alpha: { composite: 'epsilon-alpha2-beta1-flat' }, grad: { method: 'gradient' } },
      canonize: [false, true],
    });
    for (let k = 0; k < 4; k++) {
      const signal = SIGNALS[k % 2];
      const out = path.join(dir, `interrupted_evaluate_${k}`);
      const run = await interrupted(['evaluate', '--config', config, '--out', out], signal, 100 + 150 * k, out);
      expect({ signal: run.signal, code: run.code, stderr: unexpected(run.stderr) }).toEqual({ signal: null, code: EXPECTED[signal], stderr: '' });
    }
  }, 120000);

  test('explain --data, then --resume completes the folder', async () => {
    const data = path.join(dir, 'images');
    fs.mkdirSync(data);
    for (let i = 0; i < 200; i++) {
      const pixels = Buffer.from(Array.from({ length: 64 * 64 * 3 }, (_, p) => (p * (i + 7) * 31) % 251));
      await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(path.join(data, `img${String(i).padStart(2, '0')}.png`));
    }
    const config = writeConfig(dir, 'C.json', { composite: 'epsilon-plus-flat', preprocessing: { size: 64, resize: false, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } });
    const out = path.join(dir, 'explained');
    const args = ['explain', '--data', data, '--model', modelPath('vgg_bn'), '--config', config, '--out-dir', out, '--target', '1', '--batch', '4'];
    for (let k = 0; k < 4; k++) {
      const signal = SIGNALS[k % 2];
      const run = await interrupted([...args, ...(k > 0 ? ['--resume'] : [])], signal, 20 + 50 * k, out);
      expect({ signal: run.signal, code: run.code, stderr: unexpected(run.stderr) }).toEqual({ signal: null, code: EXPECTED[signal], stderr: '' });
    }
    const resumed = spawnSync(process.execPath, [CLI, ...args, '--resume'], { encoding: 'utf8', timeout: 120000 });
    expect(unexpected(resumed.stderr)).toBe('');
    expect(resumed.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'))).toMatchObject({ failed: 0, skipped: [] });
  }, 120000);
});

test('process.exit() from the API while explainMany runs exits with its code', () => {
  const script = `
    const lrp = require(${JSON.stringify(path.join(REPO, 'dist', 'index.js'))});
    lrp.loadModel(${JSON.stringify(modelPath('vgg_bn'))}).then((m) => {
      const x = { data: new Float32Array(16 * 3 * 64 * 64).fill(0.5), shape: [16, 3, 64, 64] };
      const configs = [0, 0.1, 0.25, 0.5, 1].map((gamma) => ({ composite: 'name-map', rules: [{ layers: ['features.0'], rule: 'gamma', gamma }] }));
      for (let k = 0; k < 4; k++) m.explainMany(x, { target: 1, configs }).catch(() => {});
      setTimeout(() => process.exit(3), Number(process.argv[1]));
    });`;
  for (const delay of [5, 20, 40, 80, 120]) {
    const run = spawnSync(process.execPath, ['-e', script, String(delay)], { encoding: 'utf8', timeout: 60000 });
    expect({ status: run.status, signal: run.signal, stderr: unexpected(run.stderr) }).toEqual({ status: 3, signal: null, stderr: '' });
  }
}, 120000);
