// CPU plans keep convolution models channels-last (docs/architecture.md, "Memory format"); every
// other parity test runs on that layout. Here the same zennit 0.5.1 references are checked with
// LRP_NODE_CHANNELS_LAST=0, the NCHW layout CUDA plans use, so the rules' NCHW kernels (the fused
// divisions, the stacked γ gradients) stay tested too, and both layouts are compared directly.
import * as fs from 'fs';
import * as path from 'path';

import { loadModel, readNpy } from '../lib';
import { fixtureInputs, modelPath, relativeL2 } from './helpers';

const ZENNIT = path.join(__dirname, 'fixtures', 'zennit');
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

/** Loads a model with the plan's memory format chosen by LRP_NODE_CHANNELS_LAST (read when the plan is made). */
async function loadWithLayout(file: string, channelsLast: boolean) {
  const before = process.env.LRP_NODE_CHANNELS_LAST;
  if (channelsLast) delete process.env.LRP_NODE_CHANNELS_LAST;
  else process.env.LRP_NODE_CHANNELS_LAST = '0';
  try {
    return await loadModel(file);
  } finally {
    if (before === undefined) delete process.env.LRP_NODE_CHANNELS_LAST;
    else process.env.LRP_NODE_CHANNELS_LAST = before;
  }
}

describe('NCHW plans (LRP_NODE_CHANNELS_LAST=0): parity with zennit 0.5.1', () => {
  // One case per family and composite keeps this short; explain.test.ts runs them all channels-last.
  const cases = Object.keys(manifest.cases).filter((name) => !name.endsWith('.canonized-relu-first'));
  test.each(cases)('%s', async (name) => {
    const spec = manifest.cases[name];
    const model = await loadWithLayout(modelPath(spec.family), false);
    const expected = await readNpy(path.join(ZENNIT, `${name}.npy`));
    const { relevance } = await model.explain(await fixtureInputs(spec.family), {
      target: spec.target, composite: spec.composite as never, canonize: spec.canonize, low: manifest.low, high: manifest.high,
    });
    expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(5 * spec.float32VsFloat64 + 1e-6);
  });

  test.each(Object.keys(grouped.cases))('grouped %s', async (name) => {
    const model = await loadWithLayout(path.join(GROUPED, 'model.pt'), false);
    const expected = await readNpy(path.join(GROUPED, `${name}.npy`));
    const spec = grouped.cases[name];
    const { relevance } = await model.explain(await readNpy(path.join(GROUPED, 'input.npy')), { target: grouped.target, ...(spec.config as object) });
    expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(5 * spec.float32VsFloat64 + 1e-6);
  });
});

describe('channels-last and NCHW plans agree', () => {
  test('forward and a γ grid through explainMany, on grouped and depthwise convolutions', async () => {
    const file = path.join(GROUPED, 'model.pt');
    const [last, nchw] = [await loadWithLayout(file, true), await loadWithLayout(file, false)];
    const x = await readNpy(path.join(GROUPED, 'input.npy'));
    const [a, b] = [await last.forward(x), await nchw.forward(x)];
    expect(relativeL2(a.data, b.data)).toBeLessThan(1e-6);
    const gammas = [0, 0.25, 10];
    const configs = gammas.map((gamma) => ({
      composite: 'epsilon-gamma-box' as const, low: -3, high: 3, rules: [{ layers: ['2', '4', '8'], rule: 'gamma' as const, gamma }],
    }));
    const [many, manyNchw] = [await last.explainMany(x, grouped.target, configs), await nchw.explainMany(x, grouped.target, configs)];
    for (let k = 0; k < configs.length; k++) {
      expect(relativeL2(many[k].relevance.data, manyNchw[k].relevance.data)).toBeLessThan(1e-5);
    }
  });
});
