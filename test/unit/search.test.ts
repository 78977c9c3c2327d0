import * as fs from 'fs';
import * as path from 'path';

import { loadModel, LrpError, metrics, Model, report, search, SearchResult, Tensor } from '../../lib';
import { maxAbsDiff, modelPath } from '../helpers';
import { ALL_METRICS, PAPER_DIRECTIONS, worstRelative, dataKeys, expectSelfContained, makeSearchData, METRIC_OPTIONS, SAMPLES, SEARCH_SPACE, TARGETS, writeConfig } from '../helpers/search_data';
import { configurationAt, configurationId, parseSpace, spaceSize } from '../../lib/search/space';
import { drawWithoutReplacement, halvingSchedule, makeStrategy, parseStrategy } from '../../lib/search/strategies';
import { crowdingDistances, paretoOrder, paretoRanks } from '../../lib/search/pareto';



const SPACE = {
  base: { composite: 'name-map', rules: [{ layers: ['features.1'], rule: 'pass' }] },
  groups: { low: ['features.0'], high: ['features.3'], head: ['classifier.0'] },
  space: { rule: 'gamma', values: [0, 0.25, 1], perGroup: { head: [0.5, 50] }, canonize: [false, true] },
};

describe('search space: configurations and ids (CONTRACT "Evaluate and search")', () => {
  const space = parseSpace(SPACE, 'SC.json');

  it('ids are can<k>_<v…> with JSON numbers, in id order: canonize slowest, last group fastest', () => {
    expect(configurationId(1, [0.25, 0.1, 1, 50])).toBe('can1_0.25_0.1_1_50');
    expect(spaceSize(space)).toBe(2 * 3 * 3 * 2);
    const ids = Array.from({ length: spaceSize(space) }, (_, i) => configurationAt(space, i).id);
    expect(ids.slice(0, 5)).toEqual(['can0_0_0_0.5', 'can0_0_0_50', 'can0_0_0.25_0.5', 'can0_0_0.25_50', 'can0_0_1_0.5']);
    expect(ids[18]).toBe('can1_0_0_0.5');
    expect(ids[35]).toBe('can1_1_1_50');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a configuration is base plus one rule per group in order, plus its canonize setting', () => {
    const c = configurationAt(space, 18 + 9);
    expect(c.values).toEqual({ low: 0.25, high: 0.25, head: 50 });
    expect(c.canonize).toBe(true);
    expect(c.explain).toEqual({
      composite: 'name-map', canonize: true,
      rules: [
        { layers: ['features.1'], rule: 'pass' },
        { layers: ['features.0'], rule: 'gamma', gamma: 0.25 },
        { layers: ['features.3'], rule: 'gamma', gamma: 0.25 },
        { layers: ['classifier.0'], rule: 'gamma', gamma: 50 },
      ],
    });
  });

  it('alpha-beta sets alpha and beta = alpha - 1', () => {
    const s = parseSpace({ ...SPACE, space: { rule: 'alpha-beta', values: [2], canonize: [false] } }, 'SC.json');
    expect(configurationAt(s, 0).explain.rules![1]).toEqual({ layers: ['features.0'], rule: 'alpha-beta', alpha: 2, beta: 1 });
  });

  it.each([
    [{ groups: { low: [] } }, /groups.low: is an empty group/],
    [{ space: { rule: 'gamma', values: [], canonize: [false] } }, /space.values: is an empty list/],
    [{ space: { rule: 'gamma', values: [1], perGroup: { low: [] } } }, /perGroup.low: is an empty list/],
    [{ space: { rule: 'gamma', values: [1], colour: 1 } }, /unknown key 'colour'/],
    [{ space: { rule: 'flat', values: [1] } }, /no parameter to search/],
    [{ base: { composite: 'name-map', gamm: 1 } }, /base: unknown key 'gamm'/],
  ])('bad space %j fails with one line', (patch, message) => {
    expect(() => parseSpace({ ...SPACE, ...patch }, 'SC.json')).toThrow(message);
    expect(() => parseSpace({ ...SPACE, ...patch }, 'SC.json')).toThrow(LrpError);
  });
});

describe('strategies', () => {
  const directions = ['max', 'min'] as const;

  it('grid is every configuration in id order; a shard takes index ≡ I mod N', () => {
    const grid = makeStrategy(parseStrategy({ kind: 'grid' }, 'SC'), { size: 7, samples: 4, seed: 0, directions });
    expect(grid.first()).toEqual({ index: 0, configs: [0, 1, 2, 3, 4, 5, 6], samples: 4 });
    const shard = makeStrategy({ kind: 'grid' }, { size: 7, samples: 4, seed: 0, directions, shard: { index: 1, count: 2 } });
    expect(shard.first().configs).toEqual([1, 3, 5]);
  });

  it('random draws `samples` distinct configurations with the seed, in id order', () => {
    const a = makeStrategy(parseStrategy({ kind: 'random', samples: 5, seed: 3 }, 'SC'), { size: 50, samples: 4, seed: 0, directions }).first();
    const b = makeStrategy({ kind: 'random', samples: 5 }, { size: 50, samples: 4, seed: 3, directions }).first();
    expect(a.configs).toEqual(b.configs);
    expect(new Set(a.configs).size).toBe(5);
    expect([...a.configs].sort((x, y) => x - y)).toEqual(a.configs);
    expect(drawWithoutReplacement(50, 5, 4)).not.toEqual(a.configs);
    expect(drawWithoutReplacement(3, 10, 0)).toEqual([0, 1, 2]);
  });

  it('halving: rounds on growing sample prefixes, keeping the best 1/eta by Pareto rank', () => {
    expect(halvingSchedule(4802, 32, 3, 1)).toEqual([
      { configs: 4802, samples: 1 }, { configs: 1601, samples: 2 }, { configs: 534, samples: 4 },
      { configs: 178, samples: 11 }, { configs: 60, samples: 32 },
    ]);
    const h = makeStrategy(parseStrategy({ kind: 'halving', eta: 3 }, 'SC'), { size: 9, samples: 9, seed: 0, directions });
    const r0 = h.first();
    expect(r0).toEqual({ index: 0, configs: [0, 1, 2, 3, 4, 5, 6, 7, 8], samples: 1 });
    // config 4 is best on both metrics; 2 and 7 each on one (the front); the others dominated.
    const scores = r0.configs.map((i) => (i === 4 ? [9, 0] : i === 2 ? [10, 5] : i === 7 ? [1, -1] : [i / 10, 3]));
    const r1 = h.next(r0, scores)!;
    expect(r1).toEqual({ index: 1, configs: [2, 4, 7], samples: 3 });
    const r2 = h.next(r1, [[10, 5], [11, -2], [1, -1]])!;
    expect(r2).toEqual({ index: 2, configs: [4], samples: 9 });
    expect(h.next(r2, [[9, 0]])).toBeNull();
    expect(() => makeStrategy({ kind: 'halving' }, { size: 9, samples: 9, seed: 0, directions, shard: { index: 0, count: 2 } })).toThrow(/halving/);
  });

  it('Pareto ranks: fronts in turn, NaN worst', () => {
    expect(paretoRanks([[1, 1], [2, 2], [0, 3], [null, 0]], ['max', 'max'])).toEqual([1, 0, 0, 2]);
    expect(paretoOrder([[1, 1], [2, 2], [0, 3]], ['max', 'max'])).toEqual([1, 2, 0]);
  });

  it('within a Pareto rank, each metric\'s best and the spread along the front go first (crowding distance)', () => {
    // One front; the two in the middle come first by position and tie on mean per-metric rank.
    const front = [[5, 5], [4.9, 5.1], [10, 0], [0, 10]];
    const distances = crowdingDistances(front, ['max', 'max'], [0, 0, 0, 0]);
    expect(distances[0]).toBeCloseTo(0.51 + 0.51, 12);
    expect(distances[1]).toBeCloseTo(0.5 + 0.5, 12);
    expect(distances.slice(2)).toEqual([Infinity, Infinity]);
    expect(paretoOrder(front, ['max', 'max'])).toEqual([2, 3, 0, 1]);
    // An undefined score takes no part in that metric: it is not made a boundary of it.
    expect(crowdingDistances([[null, 1], [1, 2], [2, 3]], ['max', 'min'], [0, 0, 0])[0]).toBe(Infinity);
    expect(crowdingDistances([[null, 2], [1, 1], [2, 3]], ['max', 'min'], [0, 0, 0])[0]).toBe(1);
  });

  it('bad strategies fail with one line', () => {
    expect(() => parseStrategy({ kind: 'annealing' }, 'SC')).toThrow(/strategy.kind/);
    expect(() => parseStrategy({ kind: 'random' }, 'SC')).toThrow(/needs 'samples'/);
    expect(() => parseStrategy({ kind: 'grid', eta: 2 }, 'SC')).toThrow(/unknown key 'eta'/);
    expect(() => parseStrategy({ kind: 'halving', eta: 1 }, 'SC')).toThrow(/eta must be an integer ≥ 2/);
  });
});

// ---- search runs on the vgg_bn fixture: scores, explanations, resume, shards, report ----

describe('search on a fixture model', () => {
  let data: Awaited<ReturnType<typeof makeSearchData>>;
  let model: Model;
  let configFile: string;
  let space: ReturnType<typeof parseSpace>;
  const runs = new Map<string, SearchResult[]>();

  async function collect(options: Parameters<typeof search>[0], stopAfter = Infinity): Promise<SearchResult[]> {
    const out: SearchResult[] = [];
    const run = search(options);
    for (let next = await run.next(); !next.done; next = await run.next()) {
      out.push(next.value);
      if (out.length >= stopAfter) {
        await run.return(undefined as never);
        break;
      }
    }
    return out;
  }

  function slice(t: Tensor, rows: number): Tensor {
    const size = t.data.length / t.shape[0];
    return new Tensor(t.data.slice(0, rows * size), [rows, ...t.shape.slice(1)]);
  }

  /** Every yielded configuration's attribution equals model.explain with its explain config. */
  async function expectExplanationsMatch(results: SearchResult[]): Promise<void> {
    for (const r of results) {
      const config = configurationAt(space, r.index);
      const expected = await model.explain(slice(data.inputs, r.samples), { ...config.explain, target: TARGETS.slice(0, r.samples) });
      expect(r.attributions.shape).toEqual(expected.relevance.shape);
      expect(maxAbsDiff(r.attributions.data, expected.relevance.data)).toBe(0);
    }
  }

  beforeAll(async () => {
    data = await makeSearchData();
    model = await loadModel(modelPath('vgg_bn'));
    configFile = writeConfig(data.dir, 'SC.json', { ...dataKeys(data.dir), ...SEARCH_SPACE, strategy: { kind: 'grid' } });
    space = parseSpace(SEARCH_SPACE, 'SC.json');
    runs.set('grid', await collect({ config: configFile, out: path.join(data.dir, 'grid') }));
  });

  it('grid evaluates every configuration once, in id order, on all samples', () => {
    const grid = runs.get('grid')!;
    expect(grid.map((r) => r.index)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(grid.map((r) => r.id)).toEqual(grid.map((r) => configurationAt(space, r.index).id));
    expect(grid.every((r) => r.samples === SAMPLES)).toBe(true);
    const lines = fs.readFileSync(path.join(data.dir, 'grid', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(grid.map((r) => r.id));
    expect(Object.keys(lines[0]).sort()).toEqual(['canonize', 'id', 'perSample', 'samples', 'scores', 'values']);
  });

  it('per-sample scores equal the metrics API for the configuration\'s explain config', async () => {
    const grid = runs.get('grid')!;
    for (const r of [grid[0], grid[6], grid[13]]) {
      const expected = await metrics.evaluate({
        metrics: [...ALL_METRICS], masks: data.masks, model, inputs: data.inputs, targets: TARGETS,
        explain: configurationAt(space, r.index).explain, seed: 5, options: METRIC_OPTIONS,
      });
      for (const m of ALL_METRICS) {
        expect(r.perSample[m]).toEqual(Array.from(expected.scores[m]!, (v) => (Number.isNaN(v) ? null : v)));
      }
    }
  });

  it('the noisy copies explained a sample at a time give the same scores (batchSize 4: 3 copies per explain)', async () => {
    // batchSize 4 keeps the explanations' batch (all 4 samples) and splits the sensitivity metrics'
    // 12 noisy rows into batches of one sample's 3 copies.
    const config = { ...JSON.parse(fs.readFileSync(configFile, 'utf8')), batchSize: 4, strategy: { kind: 'random', samples: 3 } };
    const small = await collect({ config, baseDir: data.dir });
    // 3 noisy rows explained at once round differently from 12 in float32: equal to 1e-5 relative
    // (test/helpers/search_data.ts worstRelative), not bitwise.
    const grid = new Map(runs.get('grid')!.map((r) => [r.id, r]));
    expect(worstRelative(small, small.map((r) => grid.get(r.id)!))).toBeLessThanOrEqual(1e-5);
    await expectExplanationsMatch(small);
  });

  it('explanations equal model.explain for grid, random and halving', async () => {
    await expectExplanationsMatch(runs.get('grid')!);
    const random = await collect({ config: { ...JSON.parse(fs.readFileSync(configFile, 'utf8')), strategy: { kind: 'random', samples: 5 } }, baseDir: data.dir });
    expect(random.map((r) => r.index)).toEqual(drawWithoutReplacement(16, 5, 5));
    await expectExplanationsMatch(random);
    const halving = await collect({ config: { ...JSON.parse(fs.readFileSync(configFile, 'utf8')), strategy: { kind: 'halving', eta: 2 } }, baseDir: data.dir });
    expect(halving.map((r) => r.samples)).toEqual([...new Array(16).fill(1), ...new Array(8).fill(2), ...new Array(4).fill(4)]);
    await expectExplanationsMatch(halving);
    // Same seed and configuration, same scores whatever the strategy.
    const grid = new Map(runs.get('grid')!.map((r) => [r.id, r]));
    for (const r of [...random, ...halving.filter((h) => h.samples === SAMPLES)]) expect(r.perSample).toEqual(grid.get(r.id)!.perSample);
  });

  it('--resume skips the ids already in results.jsonl and ends with the same results', async () => {
    const out = path.join(data.dir, 'resumed');
    const first = await collect({ config: configFile, out }, 5);
    expect(first).toHaveLength(5);
    await expect(collect({ config: configFile, out })).rejects.toThrow(/already exists: pass --resume/);
    // A run killed while writing leaves its last line cut short: that configuration runs again.
    fs.appendFileSync(path.join(out, 'results.jsonl'), '{"id": "can0_0_1_0.25", "canon');
    const changed = { ...JSON.parse(fs.readFileSync(configFile, 'utf8')), seed: 6 };
    await expect(collect({ config: changed, baseDir: data.dir, out, resume: true })).rejects.toThrow(/records another search/);
    let plan = { total: 0, done: 0 };
    const rest = await collect({ config: configFile, out, resume: true, onPlan: (p) => (plan = p) });
    expect(plan).toEqual({ total: 16, done: 5 });
    expect(rest.map((r) => r.index)).toEqual(Array.from({ length: 11 }, (_, i) => i + 5));
    await expectExplanationsMatch(rest);
    const read = (dir: string) => fs.readFileSync(path.join(data.dir, dir, 'results.jsonl'), 'utf8');
    expect(read('resumed')).toEqual(read('grid'));
    expect(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).toEqual(fs.readFileSync(path.join(data.dir, 'grid', 'summary.json'), 'utf8'));
  });

  it('halving resumed after a stop ends as the run without one', async () => {
    const config = { ...JSON.parse(fs.readFileSync(configFile, 'utf8')), strategy: { kind: 'halving', eta: 2 } };
    const whole = await collect({ config, baseDir: data.dir, out: path.join(data.dir, 'halving-whole') });
    const out = path.join(data.dir, 'halving-resumed');
    await collect({ config, baseDir: data.dir, out }, 20);
    const rest = await collect({ config, baseDir: data.dir, out, resume: true });
    expect(rest.map((r) => `${r.id}@${r.samples}`)).toEqual(whole.slice(20).map((r) => `${r.id}@${r.samples}`));
    await expectExplanationsMatch(rest);
    for (const file of ['results.jsonl', 'summary.json']) {
      expect(fs.readFileSync(path.join(out, file), 'utf8')).toEqual(fs.readFileSync(path.join(data.dir, 'halving-whole', file), 'utf8'));
    }
  });

  it('--shard 0/2 and 1/2 merged by report equal the unsharded run', async () => {
    const shards = [0, 1].map((i) => path.join(data.dir, `shard${i}`));
    for (const [i, out] of shards.entries()) {
      const results = await collect({ config: configFile, out, shard: { index: i, count: 2 } });
      expect(results.every((r) => r.index % 2 === i)).toBe(true);
    }
    const merged = path.join(data.dir, 'merged');
    await report({ dirs: [shards[1], shards[0]], out: merged });
    for (const file of ['results.jsonl', 'summary.json']) {
      expect(fs.readFileSync(path.join(merged, file), 'utf8')).toEqual(fs.readFileSync(path.join(data.dir, 'grid', file), 'utf8'));
    }
  });

  it('summary.json names best, worst and the Pareto front; report.html is self-contained', () => {
    const summary = JSON.parse(fs.readFileSync(path.join(data.dir, 'grid', 'summary.json'), 'utf8'));
    const grid = runs.get('grid')!;
    expect(summary.evaluated).toBe(16);
    // The paper's direction of every metric (mutant caught: avg-/max-sensitivity as 'max').
    expect(summary.directions).toEqual(PAPER_DIRECTIONS);
    const best = grid.find((r) => r.id === summary.best.rra)!;
    expect(grid.every((r) => (r.scores.rra ?? -Infinity) <= best.scores.rra!)).toBe(true);
    const worst = grid.find((r) => r.id === summary.worst.complexity)!;
    expect(grid.every((r) => r.scores.complexity! <= worst.scores.complexity!)).toBe(true);
    expect(summary.pareto.length).toBeGreaterThan(0);
    const html = fs.readFileSync(path.join(data.dir, 'grid', 'report.html'), 'utf8');
    expectSelfContained(html);
    expect(html).toContain('<svg');
    expect(html).toContain(summary.best.rra);
    expect(fs.existsSync(path.join(data.dir, 'grid', 'fig2-rra.png'))).toBe(true);
    expect(fs.existsSync(path.join(data.dir, 'grid', 'fig3-rra-best.png'))).toBe(true);
  });
});
