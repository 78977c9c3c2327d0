import { LrpError } from '../lib';
import { configurationAt, configurationId, parseSpace, spaceSize } from '../lib/search/space';
import { drawWithoutReplacement, halvingSchedule, makeStrategy, parseStrategy } from '../lib/search/strategies';
import { paretoOrder, paretoRanks } from '../lib/search/pareto';

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

  it('bad strategies fail with one line', () => {
    expect(() => parseStrategy({ kind: 'annealing' }, 'SC')).toThrow(/strategy.kind/);
    expect(() => parseStrategy({ kind: 'random' }, 'SC')).toThrow(/needs 'samples'/);
    expect(() => parseStrategy({ kind: 'grid', eta: 2 }, 'SC')).toThrow(/unknown key 'eta'/);
    expect(() => parseStrategy({ kind: 'halving', eta: 1 }, 'SC')).toThrow(/eta must be an integer ≥ 2/);
  });
});
