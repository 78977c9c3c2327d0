// Small data for the evaluate/search tests: four 32×32 samples derived from the vgg_bn fixture
// input, box masks, and a config with every metric at small settings (seconds per run).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { Tensor, writeNpy } from '../lib';
import { fixtureInputs, modelPath } from './helpers';

export const SAMPLES = 4;
export const TARGETS = [1, 3, 0, 7];

export const METRIC_OPTIONS = {
  'region-perturbation': { patchSize: 8, regions: 4 },
  'pixel-flipping': { featuresInStep: 256 },
  'faithfulness-correlation': { nrRuns: 10, subsetSize: 16 },
  'avg-sensitivity': { nrSamples: 3 },
  'max-sensitivity': { nrSamples: 3 },
};
export const ALL_METRICS = [
  'sparseness', 'complexity', 'rra', 'rma', 'region-perturbation', 'pixel-flipping', 'faithfulness-correlation',
  'avg-sensitivity', 'max-sensitivity', 'random-logit',
] as const;

/** Writes x.npy (4×3×32×32), m.npy (4×1×32×32 boxes) and labels.npy into a fresh folder. */
export async function makeSearchData(): Promise<{ dir: string; inputs: Tensor; masks: Tensor }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-search-'));
  const [x] = await fixtureInputs('vgg_bn');
  const size = x.data.length / x.shape[0];
  const data = new Float32Array(SAMPLES * size);
  for (let s = 0; s < SAMPLES; s++) {
    for (let i = 0; i < size; i++) data[s * size + i] = x.data[(s % 2) * size + i] * (1 + 0.3 * s) + 0.1 * Math.sin(i * (s + 1));
  }
  const inputs = new Tensor(data, [SAMPLES, 3, 32, 32]);
  const m = new Float32Array(SAMPLES * 1024);
  for (let s = 0; s < SAMPLES; s++) {
    for (let y = 4 + s; y < 16 + s; y++) for (let c = 8; c < 20; c++) m[s * 1024 + y * 32 + c] = 1;
  }
  const masks = new Tensor(m, [SAMPLES, 1, 32, 32]);
  await writeNpy(path.join(dir, 'x.npy'), inputs);
  await writeNpy(path.join(dir, 'm.npy'), masks);
  await writeNpy(path.join(dir, 'labels.npy'), new Tensor(Float32Array.from(TARGETS), [SAMPLES]));
  return { dir, inputs, masks };
}

/** The data keys of EC.json / SC.json for that folder. */
export function dataKeys(dir: string): Record<string, unknown> {
  return {
    model: modelPath('vgg_bn'), input: path.join(dir, 'x.npy'), target: 'labels.npy', masks: 'm.npy',
    metrics: [...ALL_METRICS], options: METRIC_OPTIONS, seed: 5,
  };
}

export const SEARCH_SPACE = {
  base: { composite: 'name-map', rules: [{ layers: ['classifier.3', 'classifier.6'], rule: 'epsilon' }] },
  groups: { low: ['features.0', 'features.4'], high: ['features.8', 'features.11'], head: ['classifier.0'] },
  space: { rule: 'gamma', values: [0, 0.25], canonize: [false, true] },
};

/** Writes a config file into `dir` and returns its path. */
export function writeConfig(dir: string, name: string, config: object): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

/** No http(s) address that a browser would load: no src/href/url()/@import pointing outside. */
export function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  expect(html).not.toMatch(/url\(\s*["']?\s*(https?:)?\/\//i);
  expect(html).not.toMatch(/@import/i);
  expect(html).not.toMatch(/<script[^>]*src/i);
}
