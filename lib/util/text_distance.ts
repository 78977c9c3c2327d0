// Edit distance between names, for "did you mean" suggestions in error messages.

/** Levenshtein distance: the fewest insertions, deletions and substitutions turning a into b. */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** The `count` known names closest to `name`. */
export function nearMisses(name: string, known: readonly string[], count = 3): string[] {
  return [...known].sort((x, y) => distance(name, x) - distance(name, y)).slice(0, count);
}

/** The known name closest to `name` when it is close enough to be a typo of it. */
export function likelyMeant(name: string, known: readonly string[]): string | undefined {
  const [best] = nearMisses(name, known, 1);
  if (best === undefined) return undefined;
  return distance(name.toLowerCase(), best.toLowerCase()) <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}
