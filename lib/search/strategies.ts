// Which configurations a search evaluates, on how many samples (docs/search.md): `grid` (all, in id
// order), `random` (a seeded draw without replacement) and `halving` (successive halving by Pareto
// rank). A strategy hands out rounds; halving's next round depends on the previous round's scores.
import { LrpError } from '../errors';
import { Random } from '../util/random';
import { Direction, paretoOrder } from './pareto';

export interface StrategySpec {
  kind: 'grid' | 'random' | 'halving';
  /** random: how many configurations. */
  samples?: number;
  /** random: the draw's seed (default: the config's `seed`). */
  seed?: number;
  /** halving: keep the best 1/eta of each round (default 3). */
  eta?: number;
  /** halving: the fewest samples a round uses (default 1). */
  minSamples?: number;
}

/** Configurations (indices in id order) evaluated on the first `samples` samples. */
export interface Round {
  index: number;
  configs: number[];
  samples: number;
}

export interface Strategy {
  /** Every round's size, known before any compute (for progress and compute accounting). */
  readonly schedule: ReadonlyArray<{ configs: number; samples: number }>;
  first(): Round;
  /** The next round from this round's mean scores (one row per configuration of `round`, in its order). */
  next(round: Round, scores: ReadonlyArray<ReadonlyArray<number | null>>): Round | null;
}

const KEYS: Record<StrategySpec['kind'], string[]> = {
  grid: ['kind'],
  random: ['kind', 'samples', 'seed'],
  halving: ['kind', 'eta', 'minSamples'],
};

export function parseStrategy(value: unknown, where: string): StrategySpec {
  const spec = (value ?? { kind: 'grid' }) as Record<string, unknown>;
  if (typeof spec !== 'object' || Array.isArray(spec)) throw new LrpError('LRP_BAD_ARGUMENT', `${where}: strategy must be an object {kind, …}`);
  const kind = spec.kind as StrategySpec['kind'];
  if (!(kind in KEYS)) throw new LrpError('LRP_BAD_ARGUMENT', `${where}: strategy.kind must be grid, random or halving, got ${JSON.stringify(spec.kind)}`);
  for (const key of Object.keys(spec)) {
    if (!KEYS[kind].includes(key)) throw new LrpError('LRP_BAD_ARGUMENT', `${where}: strategy: unknown key '${key}' for ${kind} (known: ${KEYS[kind].join(', ')})`);
  }
  const positiveInteger = (key: string, min: number) => {
    const v = spec[key];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min)) {
      throw new LrpError('LRP_BAD_ARGUMENT', `${where}: strategy.${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    }
  };
  positiveInteger('samples', 1);
  positiveInteger('eta', 2);
  positiveInteger('minSamples', 1);
  if (kind === 'random' && spec.samples === undefined) throw new LrpError('LRP_BAD_ARGUMENT', `${where}: strategy random needs 'samples'`);
  if (spec.seed !== undefined && !Number.isInteger(spec.seed)) throw new LrpError('LRP_BAD_ARGUMENT', `${where}: strategy.seed must be an integer`);
  return spec as unknown as StrategySpec;
}

function allRound(configs: number[], samples: number): Strategy {
  return {
    schedule: [{ configs: configs.length, samples }],
    first: () => ({ index: 0, configs, samples }),
    next: () => null,
  };
}

/**
 * `count` distinct indices of 0..size-1 (partial Fisher–Yates), returned in id order. The pool is
 * the identity except where a swap moved an entry, so only those are held: memory grows with
 * `count`, not with the space.
 */
export function drawWithoutReplacement(size: number, count: number, seed: number): number[] {
  const moved = new Map<number, number>();
  const at = (i: number) => moved.get(i) ?? i;
  const random = new Random(seed);
  const n = Math.min(count, size);
  const drawn: number[] = [];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random.next() * (size - i));
    const picked = at(j);
    moved.set(j, at(i));
    drawn.push(picked);
  }
  return drawn.sort((a, b) => a - b);
}

/**
 * Successive halving: round r evaluates its configurations on ⌈N / eta^(R−1−r)⌉ samples and keeps
 * the best ⌈count / eta⌉ by Pareto rank for round r+1; the last round uses all N samples. R is as
 * large as the samples allow (no round below `minSamples`) but stops once one configuration is left.
 */
export function halvingSchedule(size: number, samples: number, eta: number, minSamples: number): Array<{ configs: number; samples: number }> {
  let rounds = 1;
  for (let s = samples, c = size; Math.ceil(s / eta) >= minSamples && s > 1 && c > 1; s = Math.ceil(s / eta), c = Math.ceil(c / eta)) rounds++;
  const schedule: Array<{ configs: number; samples: number }> = [];
  for (let r = 0, c = size; r < rounds; r++, c = Math.ceil(c / eta)) {
    schedule.push({ configs: c, samples: Math.ceil(samples / eta ** (rounds - 1 - r)) });
  }
  return schedule;
}

function halving(size: number, samples: number, eta: number, minSamples: number, directions: readonly Direction[]): Strategy {
  const schedule = halvingSchedule(size, samples, eta, minSamples);
  return {
    schedule,
    first: () => ({ index: 0, configs: Array.from({ length: size }, (_, i) => i), samples: schedule[0].samples }),
    next: (round, scores) => {
      const index = round.index + 1;
      if (index >= schedule.length) return null;
      const kept = paretoOrder(scores, directions).slice(0, schedule[index].configs).map((k) => round.configs[k]);
      return { index, configs: kept.sort((a, b) => a - b), samples: schedule[index].samples };
    },
  };
}

export interface StrategyContext {
  /** Configurations in the space. */
  size: number;
  /** Samples in the data. */
  samples: number;
  /** The config's seed (random's default). */
  seed: number;
  /** One per metric of the scores `next` receives. */
  directions: readonly Direction[];
  /** Evaluate only the configurations whose index ≡ shard.index (mod shard.count). */
  shard?: { index: number; count: number };
}

export function makeStrategy(spec: StrategySpec, context: StrategyContext): Strategy {
  const { size, samples, shard } = context;
  const inShard = (i: number) => !shard || i % shard.count === shard.index;
  switch (spec.kind) {
    case 'grid':
      return allRound(Array.from({ length: size }, (_, i) => i).filter(inShard), samples);
    case 'random':
      return allRound(drawWithoutReplacement(size, spec.samples!, spec.seed ?? context.seed).filter(inShard), samples);
    case 'halving':
      // Halving chooses from every configuration's scores, which a shard does not see.
      if (shard) throw new LrpError('LRP_BAD_ARGUMENT', '--shard splits grid and random searches; halving needs every configuration in one run');
      return halving(size, samples, spec.eta ?? 3, spec.minSamples ?? 1, context.directions);
  }
}
