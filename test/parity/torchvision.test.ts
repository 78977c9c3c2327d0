// torchvision 0.14's classification architectures (docs/models.md): each builder at small widths,
// traced at batch 1 in the default grad mode and under torch.no_grad(), generated in a temporary
// folder by test/scripts/torchvision_models.py with /usr/bin/python3 (python3-torchvision). Each
// loads both traces, runs at batch 2, and matches torch: the forward and the input gradient within
// 5× torch's own float32-vs-float64 distance (as the parity tests take it); canonization folds every
// batch norm and keeps the function (float64 plans, one float32 ulp); LRP gives finite relevance.
// The default run takes one builder per family and per new pattern; LRP_NODE_TORCHVISION=all runs
// every builder. Without python3-torchvision the suite is skipped with a message.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { loadModel, readNpy } from '../../lib';
import { relativeL2, ulpRatio } from '../helpers';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, '..', 'scripts', 'torchvision_models.py');

function python(args: string[], timeout = 30_000): { ok: boolean; out: string; err: string } {
  const run = spawnSync(PYTHON, args, { encoding: 'utf8', timeout, maxBuffer: 1 << 24 });
  return { ok: run.status === 0, out: run.stdout ?? '', err: run.stderr ?? String(run.error ?? '') };
}

const probe = python(['-c', 'import torch, torchvision']);
const ALL = process.env.LRP_NODE_TORCHVISION === 'all';
const NAMES = probe.ok ? python([SCRIPT, '--list', ...(ALL ? ['all'] : [])]).out.trim().split('\n') : [];
if (!probe.ok) {
  // eslint-disable-next-line no-console
  console.warn(`torchvision tests skipped: ${PYTHON} cannot import torch and torchvision (apt-get install python3-torchvision)`);
}

interface Meta {
  input: number[];
  target: number[];
  outputF32VsF64: number;
  gradientF32VsF64: number;
  batchNorms: number;
}

(probe.ok ? describe : describe.skip)('torchvision classification architectures', () => {
  let dir = '';

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-torchvision-'));
    const made = python([SCRIPT, dir, ...NAMES], 600_000);
    if (!made.ok) throw new Error(`torchvision_models.py failed: ${made.err.trim().split('\n').slice(-3).join(' | ')}`);
  }, 600_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, suffix: string) => path.join(dir, `${name}${suffix}`);
  const meta = (name: string) => JSON.parse(fs.readFileSync(file(name, '.json'), 'utf8')) as Meta;

  test.each(NAMES)('%s: loads (grad and no_grad traces), forward and gradient match torch at batch 2', async (name) => {
    const m = meta(name);
    const x = await readNpy(file(name, '.input.npy'));
    const expected = await readNpy(file(name, '.output.npy'));
    const gradient = await readNpy(file(name, '.gradient.npy'));
    for (const trace of ['.pt', '.nograd.pt']) {
      const model = await loadModel(file(name, trace));
      const y = await model.forward(x);
      expect(y.shape).toEqual(expected.shape);
      expect(relativeL2(y.data, expected.data)).toBeLessThanOrEqual(5 * m.outputF32VsF64 + 1e-6);
      const { relevance } = await model.explain(x, { target: m.target, method: 'gradient' });
      expect(relativeL2(relevance.data, gradient.data)).toBeLessThanOrEqual(5 * m.gradientF32VsF64 + 1e-6);
      model.dispose();
    }
  });

  test.each(NAMES)('%s: canonization folds every batch norm and keeps the function', async (name) => {
    const m = meta(name);
    const x = await readNpy(file(name, '.input.npy'));
    const original = await loadModel(file(name, '.pt'), { dtype: 'float64' });
    const canonized = await original.canonize();
    expect(canonized.counts.batch_norm ?? 0).toBe(0);
    const folds = canonized.canonization!.folds;
    expect(folds).toHaveLength(m.batchNorms);
    for (const fold of folds) expect([fold.batchNorm, fold.pass ? 'folded' : `stays: ${fold.reason}`]).toEqual([fold.batchNorm, 'folded']);
    expect(ulpRatio((await original.forward(x)).data, (await canonized.forward(x)).data)).toBeLessThanOrEqual(1);
    original.dispose();
    canonized.dispose();
  });

  test.each(NAMES)('%s: LRP (epsilon-plus-flat, plain and canonized) is finite and not all zero', async (name) => {
    const m = meta(name);
    const x = await readNpy(file(name, '.input.npy'));
    const model = await loadModel(file(name, '.pt'));
    for (const canonize of [false, true]) {
      const { relevance } = await model.explain(x, { target: m.target, composite: 'epsilon-plus-flat', canonize });
      expect(relevance.shape).toEqual(x.shape);
      expect(relevance.data.every(Number.isFinite)).toBe(true);
      expect(relevance.data.some((v) => v !== 0)).toBe(true);
    }
    model.dispose();
  });
});

