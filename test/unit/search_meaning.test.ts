// What a search concludes, checked on real runs against expectations the test computes itself
// (issue 29): the Pareto front and the best configuration per metric from its own dominance check
// and the paper's literal directions; which configurations halving keeps; and the scores of a run
// cut into several chunks of configurations and several batches of samples.
import * as fs from 'fs';
import * as path from 'path';

import { Model, search, SearchResult } from '../../lib';
import { paretoOrder } from '../../lib/search/pareto';
import { dataKeys, dominatesLiterally, makeSearchData, PAPER_DIRECTIONS, SEARCH_SPACE, worstRelative, writeConfig } from '../helpers/search_data';

// Three model-free metrics (fast), two of them pulling against each other, so that on the 16
// configurations some are dominated and the Pareto front has a second rank.
const METRICS = ['sparseness', 'complexity', 'rra'] as const;

async function collect(options: Parameters<typeof search>[0]): Promise<SearchResult[]> {
  const out: SearchResult[] = [];
  for await (const r of search(options)) out.push(r);
  return out;
}

type Scores = Record<string, number | null>;

/** How far a sample's score may move when it is explained in a batch of another size (see below). */
const RELATIVE = 1e-5;

/** The non-dominated ids among `lines` (own O(n²) check, literal directions). */
function nonDominated(lines: ReadonlyArray<{ id: string; scores: Scores }>, metrics: readonly string[]): string[] {
  return lines.filter((a) => !lines.some((b) => b !== a && dominatesLiterally(b.scores, a.scores, metrics))).map((l) => l.id);
}

/** Pareto rank by peeling fronts (own check): 0 the front, 1 the front of the rest, … */
function literalRanks(lines: ReadonlyArray<{ id: string; scores: Scores }>, metrics: readonly string[]): Map<string, number> {
  const ranks = new Map<string, number>();
  let rest = [...lines];
  for (let rank = 0; rest.length > 0; rank++) {
    const front = new Set(nonDominated(rest, metrics));
    for (const id of front) ranks.set(id, rank);
    rest = rest.filter((l) => !front.has(l.id));
  }
  return ranks;
}

let data: Awaited<ReturnType<typeof makeSearchData>>;
let base: Record<string, unknown>;

beforeAll(async () => {
  data = await makeSearchData();
  base = { ...dataKeys(data.dir), metrics: [...METRICS], options: {}, ...SEARCH_SPACE };
});

describe('summary.json on a real grid run', () => {
  let grid: SearchResult[];
  let summary: { directions: Record<string, string>; best: Record<string, string>; worst: Record<string, string>; pareto: string[] };
  beforeAll(async () => {
    const out = path.join(data.dir, 'meaning-grid');
    grid = await collect({ config: writeConfig(data.dir, 'SC-meaning.json', { ...base, strategy: { kind: 'grid' } }), out });
    summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  });

  test('the Pareto front is exactly the non-dominated configurations (rank 0 only)', () => {
    expect(grid).toHaveLength(16);
    const ranks = literalRanks(grid, METRICS);
    // Precondition: a second rank exists, so a front taken as rank ≤ 1 would differ.
    expect([...ranks.values()].some((r) => r === 1)).toBe(true);
    // Mutant caught: summarize() keeping ranks ≤ 1 (lib/search/store.ts).
    expect([...summary.pareto].sort()).toEqual(nonDominated(grid, METRICS).sort());
  });

  test('directions, best and worst follow the paper\'s ↑/↓', () => {
    expect(summary.directions).toEqual(Object.fromEntries(METRICS.map((m) => [m, PAPER_DIRECTIONS[m]])));
    for (const m of METRICS) {
      const values = grid.map((r) => r.scores[m] as number);
      const [top, bottom] = PAPER_DIRECTIONS[m] === 'max' ? [Math.max(...values), Math.min(...values)] : [Math.min(...values), Math.max(...values)];
      expect(top).not.toBe(bottom);
      expect([m, grid.find((r) => r.id === summary.best[m])!.scores[m]]).toEqual([m, top]);
      expect([m, grid.find((r) => r.id === summary.worst[m])!.scores[m]]).toEqual([m, bottom]);
    }
  });
});

describe('halving on a real run', () => {
  test('each round keeps the best 1/eta by Pareto rank of the round before; a kept configuration\'s first scores repeat that round\'s', async () => {
    const out = path.join(data.dir, 'meaning-halving');
    const results = await collect({ config: writeConfig(data.dir, 'SC-halving3.json', { ...base, strategy: { kind: 'halving', eta: 2 } }), out });
    const rounds = [0, 1, 2].map((k) => results.filter((r) => r.round === k));
    expect(rounds.map((r) => [r.length, r[0].samples])).toEqual([[16, 1], [8, 2], [4, 4]]);
    expect(results).toHaveLength(28);
    for (let k = 0; k < 2; k++) {
      const [before, after] = [rounds[k], rounds[k + 1]];
      const kept = new Set(after.map((r) => r.id));
      // Own check: no configuration kept is of a worse Pareto rank than one dropped.
      const ranks = literalRanks(before, METRICS);
      const worstKept = Math.max(...before.filter((r) => kept.has(r.id)).map((r) => ranks.get(r.id)!));
      const bestDropped = Math.min(...before.filter((r) => !kept.has(r.id)).map((r) => ranks.get(r.id)!));
      expect(worstKept).toBeLessThanOrEqual(bestDropped);
      // The exact set: the first half in the order halving documents (rank, crowding, mean rank).
      const order = paretoOrder(before.map((r) => METRICS.map((m) => r.scores[m] ?? null)), METRICS.map((m) => PAPER_DIRECTIONS[m]));
      expect([...kept].sort()).toEqual(order.slice(0, after.length).map((i) => before[i].id).sort());
      // A round's samples are a prefix: the kept configurations' first scores repeat the round before.
      for (const r of after) {
        const earlier = before.find((b) => b.id === r.id)!;
        for (const m of METRICS) {
          earlier.perSample[m]!.forEach((v, s) => expect(Math.abs((r.perSample[m]![s] as number) - (v as number))).toBeLessThanOrEqual(RELATIVE * Math.max(1, Math.abs(v as number))));
        }
      }
    }
    // The last round is on all samples: summary.json's front is over those 4.
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.evaluated).toBe(4);
    expect([...summary.pareto].sort()).toEqual(nonDominated(rounds[2], METRICS).sort());
  });
});

describe('several chunks of configurations and several batches of samples', () => {
  test('7 configurations in chunks of 3 and batches of 3 samples score as one chunk and one batch', async () => {
    // All ten metrics, so the shared draws (noisy copies, random-logit classes) are cut as well.
    const config = { ...dataKeys(data.dir), ...SEARCH_SPACE, strategy: { kind: 'random', samples: 7 } };
    const calls: Array<{ configs: number; rows: number }> = [];
    const original = Model.prototype.explainMany;
    Model.prototype.explainMany = function (this: Model, ...args: unknown[]) {
      const [inputs, , configs] = args as [Array<{ shape: number[] }>, unknown, unknown[]];
      calls.push({ configs: configs.length, rows: inputs[0].shape[0] });
      return (original as (...a: unknown[]) => ReturnType<Model['explainMany']>).apply(this, args);
    } as Model['explainMany'];
    let cut: SearchResult[];
    try {
      // Attributions of 4 samples × 3×32×32 floats, twice (random logit): 98304 bytes a configuration.
      cut = await collect({ config: { ...config, batchSize: 3 }, baseDir: data.dir, memoryBytes: 3 * 98304 });
    } finally {
      Model.prototype.explainMany = original;
    }
    // Preconditions: no explainMany took more than 3 configurations or 3 rows; there were 3 chunks
    // (the last of one configuration) and the 4 samples went as 3 + 1.
    expect(Math.max(...calls.map((c) => c.configs))).toBe(3);
    expect(new Set(calls.map((c) => c.configs))).toEqual(new Set([3, 1]));
    expect(Math.max(...calls.map((c) => c.rows))).toBe(3);
    expect(calls.some((c) => c.rows === 1)).toBe(true);
    const whole = await collect({ config, baseDir: data.dir });
    // Batches of 3 and 1 samples round differently from one of 4 (7.7e-7 at worst here; RELATIVE
    // allows 13× that): a misplaced batch or chunk would be off by far more.
    expect(cut.map((r) => r.id)).toEqual(whole.map((r) => r.id));
    const worst = worstRelative(cut, whole);
    expect(worst).toBeLessThanOrEqual(RELATIVE);
  });
});
