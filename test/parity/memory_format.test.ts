// CPU plans keep convolution models channels-last (docs/architecture.md, "Memory format"); every
// other parity test runs on that layout. Here a child process started with
// LRP_NODE_CHANNELS_LAST=0 (the NCHW layout CUDA plans use; the variable is read when a plan is
// made, and Jest's process.env does not reach the native side) explains the same fixtures, which
// are checked against zennit 0.5.1 and against this process's channels-last results, so the
// rules' NCHW kernels (the fused divisions, the stacked γ gradients) stay tested too.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { loadModel, readNpy } from '../../lib';
import { fixtureInputs, modelPath, relativeL2 } from '../helpers';

const ZENNIT = path.join(__dirname, '..', 'fixtures', 'zennit');
const manifest = JSON.parse(fs.readFileSync(path.join(ZENNIT, 'manifest.json'), 'utf8')) as {
  low: number;
  high: number;
  cases: Record<string, { family: string; composite: string; canonize: boolean | { order: 'left-first' | 'relu-first'; biasMapInZ: boolean }; target: number[]; float32VsFloat64: number }>;
};
const GROUPED = path.join(ZENNIT, 'grouped');
const grouped = JSON.parse(fs.readFileSync(path.join(GROUPED, 'manifest.json'), 'utf8')) as {
  target: number[];
  cases: Record<string, { config: Record<string, unknown>; float32VsFloat64: number }>;
};
const SCRIPT = path.join(__dirname, '..', 'scripts', 'explain_fixtures.js');

// explain.test.ts runs every case channels-last; one canonize order per family and composite here.
const CASES = Object.keys(manifest.cases).filter((name) => !name.endsWith('.canonized-relu-first'));
const GRID = [0, 0.25, 10].map((gamma) => ({
  composite: 'epsilon-gamma-box', low: -3, high: 3, rules: [{ layers: ['2', '4', '8'], rule: 'gamma', gamma }],
}));

function runChild(setting: string) {
  return spawnSync(process.execPath, [SCRIPT, JSON.stringify(CASES), JSON.stringify(GRID)], {
    encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LRP_NODE_CHANNELS_LAST: setting },
  });
}

describe('NCHW plans (LRP_NODE_CHANNELS_LAST=0)', () => {
  let nchw: { cases: Record<string, number[]>; grouped: Record<string, number[]>; grid: number[][] };
  beforeAll(() => {
    const child = runChild('0');
    if (child.status !== 0) throw new Error(`explain_fixtures.js failed: ${child.stderr}`);
    nchw = JSON.parse(child.stdout);
  });

  test.each(CASES)('%s: parity with zennit 0.5.1', async (name) => {
    const expected = await readNpy(path.join(ZENNIT, `${name}.npy`));
    expect(relativeL2(Float32Array.from(nchw.cases[name]), expected.data)).toBeLessThanOrEqual(5 * manifest.cases[name].float32VsFloat64 + 1e-6);
  });

  test.each(Object.keys(grouped.cases))('grouped %s: parity with zennit 0.5.1', async (name) => {
    const expected = await readNpy(path.join(GROUPED, `${name}.npy`));
    expect(relativeL2(Float32Array.from(nchw.grouped[name]), expected.data)).toBeLessThanOrEqual(5 * grouped.cases[name].float32VsFloat64 + 1e-6);
  });

  test('equal to channels-last up to round-off: every case, and a γ grid through explainMany', async () => {
    for (const name of CASES) {
      const spec = manifest.cases[name];
      const model = await loadModel(modelPath(spec.family));
      const { relevance } = await model.explain(await fixtureInputs(spec.family), {
        target: spec.target, composite: spec.composite as never, canonize: spec.canonize, low: manifest.low, high: manifest.high,
      });
      expect(relativeL2(Float32Array.from(nchw.cases[name]), relevance.data)).toBeLessThanOrEqual(5 * spec.float32VsFloat64 + 1e-6);
    }
    const model = await loadModel(path.join(GROUPED, 'model.pt'));
    const many = await model.explainMany(await readNpy(path.join(GROUPED, 'input.npy')), grouped.target, GRID as never);
    many.forEach((e, k) => expect(relativeL2(Float32Array.from(nchw.grid[k]), e.relevance.data)).toBeLessThan(1e-5));
  });
});

test('LRP_NODE_CHANNELS_LAST other than 0 or 1 fails the load with one line naming it', () => {
  const child = runChild('yes');
  expect(child.status).toBe(1);
  expect(child.stderr).toBe("LRP_NODE_CHANNELS_LAST must be 0 (NCHW) or 1 (channels-last, the default), got 'yes'\n");
});
