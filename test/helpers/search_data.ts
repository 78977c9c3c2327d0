// Small data for the evaluate/search tests: four 32×32 samples derived from the vgg_bn fixture
// input, box masks, and a config with every metric at small settings (seconds per run).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { Tensor, writeNpy } from '../../lib';
import { fixtureInputs, modelPath } from '.';

export const SAMPLES = 4;
export const TARGETS = [1, 3, 0, 7];

export const METRIC_OPTIONS = {
  'region-perturbation': { patchSize: 8, regions: 4 },
  'pixel-flipping': { featuresInStep: 256 },
  'faithfulness-correlation': { nrRuns: 10, subsetSize: 16 },
  'avg-sensitivity': { nrSamples: 3 },
  'max-sensitivity': { nrSamples: 3 },
};
/**
 * The paper's ↑/↓ per metric (CONTRACT "Evaluate and search", Table 1), written out here rather than
 * imported from lib/search/pareto.ts, so a wrong direction there cannot also be the expectation.
 */
export const PAPER_DIRECTIONS = {
  sparseness: 'max', complexity: 'min', rra: 'max', rma: 'max', 'region-perturbation': 'max', 'pixel-flipping': 'max',
  'faithfulness-correlation': 'max', 'avg-sensitivity': 'min', 'max-sensitivity': 'min', 'random-logit': 'min',
} as const;

/** Whether a's mean scores dominate b's under PAPER_DIRECTIONS: no worse on every metric, better on one (null: worst). */
export function dominatesLiterally(a: Record<string, number | null>, b: Record<string, number | null>, metrics: readonly string[]): boolean {
  const good = (v: number | null, m: string) => (v === null ? -Infinity : PAPER_DIRECTIONS[m as keyof typeof PAPER_DIRECTIONS] === 'max' ? v : -v);
  return metrics.every((m) => good(a[m], m) >= good(b[m], m)) && metrics.some((m) => good(a[m], m) > good(b[m], m));
}

/**
 * The largest distance between two runs' per-sample scores, relative to max(1, |score|). A sample
 * explained in a batch of another size rounds differently in float32 (libtorch's batched
 * convolutions), so such runs agree to about 1e-6, not bitwise; a misplaced batch or chunk gives
 * another sample's or configuration's score instead.
 */
export function worstRelative(a: ReadonlyArray<{ perSample: Partial<Record<string, Array<number | null>>> }>, b: typeof a): number {
  let worst = 0;
  a.forEach((r, i) => {
    for (const [m, values] of Object.entries(r.perSample)) {
      values!.forEach((v, s) => {
        const expected = b[i].perSample[m]![s];
        worst = Math.max(worst, v === null || expected === null ? (v === expected ? 0 : Infinity) : Math.abs(v - expected) / Math.max(1, Math.abs(expected)));
      });
    }
  });
  return worst;
}

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
