// What made the search faster keeps its results: the radix order of attributions equals the
// comparison sort's, and the search profile (LRP_NODE_SEARCH_PROFILE, lib/search/profile.ts)
// accounts for the work without changing a score.
import * as fs from 'fs';
import * as path from 'path';

import { search, SearchResult } from '../../lib';
import { sortedIndices } from '../../lib/metrics/prepare';
import { Random } from '../../lib/util/random';
import { dataKeys, makeSearchData, METRIC_OPTIONS, SAMPLES, SEARCH_SPACE, writeConfig } from '../helpers/search_data';

/** The comparison sort sortedIndices used alone before: by value, ties by the smaller index. */
function comparisonOrder(values: Float64Array, descending: boolean): number[] {
  const order = Uint32Array.from(values.keys()).sort((i, j) => {
    const d = descending ? values[j] - values[i] : values[i] - values[j];
    return d !== 0 && !Number.isNaN(d) ? d : i - j;
  });
  return Array.from(order);
}

describe('sortedIndices', () => {
  const random = new Random(11);
  const draws: Record<string, () => number> = {
    spread: () => (random.next() - 0.5) * 1e3,
    'many ties': () => Math.round((random.next() - 0.5) * 10),
    'zeros of both signs, infinities, tiny': () => {
      const r = random.next();
      return r < 0.3 ? 0 : r < 0.5 ? -0 : r < 0.55 ? Infinity : r < 0.6 ? -Infinity : (random.next() - 0.5) * 1e-300;
    },
    'denormals and the largest magnitudes': () => (random.next() < 0.5 ? 1e-320 * random.next() : -Number.MAX_VALUE * random.next()),
  };

  it.each(Object.keys(draws))('equals the comparison sort on %s, both directions, below and above the radix size', (kind) => {
    for (const n of [5, 255, 256, 1000, 12288]) {
      const values = Float64Array.from({ length: n }, draws[kind]);
      for (const descending of [true, false]) expect(Array.from(sortedIndices(values, descending))).toEqual(comparisonOrder(values, descending));
    }
  });

  it('values with NaN keep the comparison sort', () => {
    const values = Float64Array.from({ length: 600 }, (_, i) => (i % 7 === 0 ? NaN : Math.round(random.next() * 20)));
    expect(Array.from(sortedIndices(values, true))).toEqual(comparisonOrder(values, true));
  });
});

describe('search profile', () => {
  it('LRP_NODE_SEARCH_PROFILE writes CPU per phase and counts of the work; the scores are those of a run without it', async () => {
    const data = await makeSearchData();
    const metrics = ['rra', 'pixel-flipping', 'region-perturbation', 'avg-sensitivity', 'random-logit'];
    const space = { ...SEARCH_SPACE, space: { ...SEARCH_SPACE.space, values: [0.25] } };
    const options = Object.fromEntries(Object.entries(METRIC_OPTIONS).filter(([m]) => metrics.includes(m)));
    const config = writeConfig(data.dir, 'SC.json', { ...dataKeys(data.dir), metrics, options, ...space, strategy: { kind: 'grid' } });
    const run = async (out: string) => {
      const results: SearchResult[] = [];
      for await (const r of search({ config, out: path.join(data.dir, out) })) results.push(r);
      return results;
    };
    const plain = await run('plain');
    const file = path.join(data.dir, 'profile.json');
    process.env.LRP_NODE_SEARCH_PROFILE = file;
    let profiled: SearchResult[];
    try {
      profiled = await run('profiled');
    } finally {
      delete process.env.LRP_NODE_SEARCH_PROFILE;
    }
    expect(profiled.map((r) => [r.id, r.perSample])).toEqual(plain.map((r) => [r.id, r.perSample]));
    const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
    const configs = plain.length;
    expect(configs).toBe(2);
    expect(profile.evaluations).toBe(configs * SAMPLES);
    // Explained rows: the samples, random logit's other classes, avg-sensitivity's noisy copies (3
    // per sample in the fixture's options).
    expect(profile.rows.explain).toBe(SAMPLES);
    expect(profile.rows['random-logit']).toBe(SAMPLES);
    expect(profile.rows.sensitivity).toBe(3 * SAMPLES);
    // Pixel flipping: 3·32·32/256 = 12 steps and the clean input; region perturbation: 4 regions
    // and the clean input; per sample and configuration; and the samples once, to check the targets.
    expect(profile.rows.perturbation).toBe(configs * SAMPLES * (12 + 1 + 4 + 1) + SAMPLES);
    for (const key of ['native', 'js', 'wall']) {
      for (const seconds of Object.values(profile[key]) as number[]) expect(seconds).toBeGreaterThanOrEqual(0);
    }
    expect(profile.elapsed).toBeGreaterThan(0);
    expect(profile.cpu).toBeGreaterThan(0);
  }, 120000);
});
