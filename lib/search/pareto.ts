// Pareto ranks over several metrics (docs/search.md), each oriented by its direction (the
// metric's own, lib/metrics/registry.ts).
import type { Direction } from '../metrics/metric';

export type { Direction };

/** A score oriented so that larger is better; NaN (undefined score) is worse than anything. */
function oriented(value: number | null, direction: Direction): number {
  if (value === null || Number.isNaN(value)) return -Infinity;
  return direction === 'max' ? value : -value;
}

/** a dominates b: at least as good on every metric and better on one. */
function dominates(a: number[], b: number[]): boolean {
  let better = false;
  for (let m = 0; m < a.length; m++) {
    if (a[m] < b[m]) return false;
    if (a[m] > b[m]) better = true;
  }
  return better;
}

/**
 * Non-dominated sorting: rank 0 is the Pareto front, rank 1 the front once rank 0 is removed, and so
 * on. `scores[i][m]` is item i's mean score for metric m.
 */
export function paretoRanks(scores: ReadonlyArray<ReadonlyArray<number | null>>, directions: readonly Direction[]): number[] {
  const points = scores.map((row) => row.map((v, m) => oriented(v, directions[m])));
  const ranks = new Array<number>(points.length).fill(-1);
  let remaining = points.map((_, i) => i);
  for (let rank = 0; remaining.length > 0; rank++) {
    const front = remaining.filter((i) => !remaining.some((j) => j !== i && dominates(points[j], points[i])));
    for (const i of front) ranks[i] = rank;
    remaining = remaining.filter((i) => ranks[i] === -1);
  }
  return ranks;
}

/**
 * Crowding distance within each Pareto rank (Deb et al. 2002, NSGA-II): per metric, the members of
 * a rank sorted by score; the best and worst get Infinity, every other the gap between its two
 * neighbours divided by the rank's range; summed over metrics. Undefined scores (NaN) take no part
 * in a metric's sort and add nothing.
 */
export function crowdingDistances(scores: ReadonlyArray<ReadonlyArray<number | null>>, directions: readonly Direction[], ranks: readonly number[]): number[] {
  const distance = new Array<number>(scores.length).fill(0);
  const fronts = new Map<number, number[]>();
  ranks.forEach((rank, i) => fronts.set(rank, [...(fronts.get(rank) ?? []), i]));
  for (const members of fronts.values()) {
    directions.forEach((direction, m) => {
      const value = (i: number) => oriented(scores[i][m], direction);
      const sorted = members.filter((i) => Number.isFinite(value(i))).sort((a, b) => value(a) - value(b) || a - b);
      if (sorted.length === 0) return;
      distance[sorted[0]] = Infinity;
      distance[sorted[sorted.length - 1]] = Infinity;
      const range = value(sorted[sorted.length - 1]) - value(sorted[0]);
      if (!(range > 0)) return;
      for (let k = 1; k < sorted.length - 1; k++) distance[sorted[k]] += (value(sorted[k + 1]) - value(sorted[k - 1])) / range;
    });
  }
  return distance;
}

/**
 * The order halving keeps configurations in: by Pareto rank; within a rank, by crowding distance,
 * largest first, so each metric's best and the spread along the front go before configurations
 * crowded together; then by the mean over metrics of the configuration's rank on that metric
 * alone; then by position.
 */
export function paretoOrder(scores: ReadonlyArray<ReadonlyArray<number | null>>, directions: readonly Direction[]): number[] {
  const ranks = paretoRanks(scores, directions);
  const crowding = crowdingDistances(scores, directions, ranks);
  const meanRank = new Array<number>(scores.length).fill(0);
  directions.forEach((direction, m) => {
    const order = scores.map((_, i) => i).sort((a, b) => oriented(scores[b][m], direction) - oriented(scores[a][m], direction) || a - b);
    order.forEach((i, r) => (meanRank[i] += r / directions.length));
  });
  const byCrowding = (a: number, b: number) => (crowding[a] === crowding[b] ? 0 : crowding[b] > crowding[a] ? 1 : -1);
  return scores.map((_, i) => i).sort((a, b) => ranks[a] - ranks[b] || byCrowding(a, b) || meanRank[a] - meanRank[b] || a - b);
}
