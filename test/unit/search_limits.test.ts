// Issue 30 item 6: a space of 10⁶ or 10⁹ configurations. Before, a grid that large took 3 GB and
// 22 s before its first result, or ran V8 out of heap (exit 134); now a run that would evaluate
// more than MAX_CONFIGURATIONS is refused at once with the count and the option that raises the
// bound, and a random draw from a huge space holds only what it draws.
import * as fs from 'fs';
import * as path from 'path';

import { search } from '../../lib';
import { MAX_CONFIGURATIONS } from '../../lib/search/search';
import { drawWithoutReplacement } from '../../lib/search/strategies';
import { dataKeys, makeSearchData, writeConfig } from '../helpers/search_data';

let dir: string;
beforeAll(async () => {
  ({ dir } = await makeSearchData());
});

/** `groups` groups on the first convolution, each taking `values` values. */
function space(groups: number, values: number, strategy?: object): object {
  return {
    ...dataKeys(dir), metrics: ['sparseness'], options: {},
    groups: Object.fromEntries(Array.from({ length: groups }, (_, g) => [`g${g}`, ['features.0']])),
    space: { rule: 'gamma', values: Array.from({ length: values }, (_, v) => v / 10), canonize: [false, true] },
    ...(strategy ? { strategy } : {}),
  };
}

async function all<T>(run: AsyncGenerator<T, unknown>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of run) out.push(r);
  return out;
}

test('a grid above the bound is refused at once, naming the count and the option; nothing is written', async () => {
  const out = path.join(dir, 'huge');
  for (const [groups, values, count] of [[6, 10, 2000000], [7, 20, 2560000000]] as const) {
    const config = writeConfig(dir, `SC_${count}.json`, space(groups, values));
    const started = Date.now();
    await expect(all(search({ config, out }))).rejects.toThrow(
      new RegExp(`SC_${count}\\.json: the search would evaluate ${count} configurations \\(the space holds ${count}\\), more than ${MAX_CONFIGURATIONS}: .*--max-configurations ${count}`));
    expect(Date.now() - started).toBeLessThan(5000);
  }
  expect(fs.existsSync(out)).toBe(false);
  // --shard splits what one run evaluates.
  const config = writeConfig(dir, 'SC_sharded.json', space(5, 7));
  await expect(all(search({ config, maxConfigurations: 20000 }))).rejects.toThrow(/would evaluate 33614 configurations .*more than 20000/);
  await expect(all(search({ config, maxConfigurations: 16806, shard: { index: 0, count: 2 } }))).rejects.toThrow(/would evaluate 16807 configurations \(the space holds 33614\), more than 16806/);
});

test('random draws from a space of 2.56·10⁹ configurations hold only the draws', async () => {
  const config = writeConfig(dir, 'SC_random.json', space(7, 20, { kind: 'random', samples: 2, seed: 3 }));
  const results = await all(search({ config }));
  expect(results.map((r) => r.index)).toEqual(drawWithoutReplacement(2560000000, 2, 3));
  expect(new Set(results.map((r) => r.id)).size).toBe(2);
});

test('the sparse draw is the partial Fisher–Yates of the whole pool', () => {
  // The pool written out, as the draw was before it kept only the moved entries.
  const dense = (size: number, count: number, seed: number) => {
    const { Random } = require('../../lib/util/random');
    const pool = Array.from({ length: size }, (_, i) => i);
    const random = new Random(seed);
    for (let i = 0; i < Math.min(count, size); i++) {
      const j = i + Math.floor(random.next() * (size - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, Math.min(count, size)).sort((a: number, b: number) => a - b);
  };
  for (const [size, count, seed] of [[16, 5, 5], [100, 100, 1], [1000, 37, 9], [7, 20, 2]]) {
    expect(drawWithoutReplacement(size, count, seed)).toEqual(dense(size, count, seed));
  }
});
