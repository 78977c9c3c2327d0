// Issue 30 items 3 and 5: results.jsonl read back by --resume and report. A resume never mixes
// runs (the run.json beside the lines identifies them; without it, nothing is continued); a
// damaged file is found before any compute: a cut or unreadable last line is dropped with a
// warning, anything else (garbage mid-file, an id outside the space, a line repeated with other
// scores) is one line, and report then writes nothing.
import * as fs from 'fs';
import * as path from 'path';

import { report, search } from '../../lib';
import { dataKeys, makeSearchData, SEARCH_SPACE, writeConfig } from '../helpers/search_data';

let dir: string;
let config: string;
let full: string;
const METRICS = { metrics: ['sparseness', 'complexity'], options: {} };

async function run(options: Parameters<typeof search>[0], stopAfter = Infinity): Promise<string[]> {
  const ids: string[] = [];
  const it = search(options);
  for (let next = await it.next(); !next.done; next = await it.next()) {
    ids.push(next.value.id);
    if (ids.length >= stopAfter) {
      await it.return(undefined as never);
      break;
    }
  }
  return ids;
}

function copyRun(name: string, lines?: (held: string[]) => string[]): string {
  const out = path.join(dir, name);
  fs.mkdirSync(out);
  fs.copyFileSync(path.join(full, 'run.json'), path.join(out, 'run.json'));
  const held = fs.readFileSync(path.join(full, 'results.jsonl'), 'utf8').trim().split('\n');
  fs.writeFileSync(path.join(out, 'results.jsonl'), (lines ? lines(held) : held).join('\n') + '\n');
  return out;
}

beforeAll(async () => {
  ({ dir } = await makeSearchData());
  config = writeConfig(dir, 'SC.json', { ...dataKeys(dir), ...METRICS, ...SEARCH_SPACE });
  full = path.join(dir, 'full');
  await run({ config, out: full });
}, 120000);

describe('item 3: --resume never merges another run', () => {
  test('results.jsonl without run.json is not continued, whatever the config', async () => {
    const out = copyRun('no_record', (held) => held.slice(0, 10));
    fs.unlinkSync(path.join(out, 'run.json'));
    const before = fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8');
    const other = writeConfig(dir, 'SC_other.json', { ...dataKeys(dir), ...METRICS, ...SEARCH_SPACE, space: { rule: 'epsilon', values: [0.25, 1], canonize: [false, true] } });
    for (const c of [other, config]) {
      await expect(run({ config: c, out, resume: true })).rejects.toThrow(/--resume: .*results\.jsonl has no run\.json beside it/);
    }
    expect(fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8')).toBe(before);
    expect(fs.existsSync(path.join(out, 'run.json'))).toBe(false);
  });

  test('run.json of another run is refused, and report refuses lines without run.json', async () => {
    const out = copyRun('other_record', (held) => held.slice(0, 4));
    const other = writeConfig(dir, 'SC_seed.json', { ...dataKeys(dir), ...METRICS, ...SEARCH_SPACE, seed: 9 });
    await expect(run({ config: other, out, resume: true })).rejects.toThrow(/records another search/);
    fs.unlinkSync(path.join(out, 'run.json'));
    await expect(report({ dirs: [out], out: path.join(dir, 'other_report') })).rejects.toThrow(/holds no run\.json/);
  });
});

describe('item 5: a damaged results.jsonl is found before any compute', () => {
  test('an unreadable last line (complete or cut) is dropped with a warning and the run resumes whole', async () => {
    for (const [name, tail] of [['garbage_last', 'garbage\n'], ['cut_last', '{"id": "can1_0.25_0']] as const) {
      const out = copyRun(name, (held) => held.slice(0, 6));
      fs.appendFileSync(path.join(out, 'results.jsonl'), tail);
      const warnings: string[] = [];
      const ids = await run({ config, out, resume: true, onWarning: (m) => warnings.push(m) });
      expect(ids).toHaveLength(10);
      expect(warnings).toEqual([expect.stringMatching(/results\.jsonl:7: last line cut short or unreadable: dropped/)]);
      expect(fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8')).toBe(fs.readFileSync(path.join(full, 'results.jsonl'), 'utf8'));
      // A later report reads it cleanly.
      await expect(report({ dirs: [out], out })).resolves.toMatchObject({ evaluated: 16 });
    }
  }, 120000);

  test.each([
    ['garbage mid-file', (held: string[]) => [...held.slice(0, 2), 'garbage', ...held.slice(2, 5)], /results\.jsonl:3: not a JSON line/],
    ['an id not in the space', (held: string[]) => [...held.slice(0, 3), held[3].replace(/"id":"[^"]*"/, '"id":"can0_9_9_9"')], /results\.jsonl:4: id 'can0_9_9_9' is not a configuration/],
    ['a line repeated with other scores', (held: string[]) => [...held.slice(0, 3), held[1].replace(/"sparseness":\[[-0-9.e]+/, '"sparseness":[0.5')], /results\.jsonl:4: configuration can0_0_0_0.25 on 4 samples appears twice with different contents \(first at .*results\.jsonl:2\)/],
    ['a line that is not an object', (held: string[]) => [...held.slice(0, 3), '[1, 2]', held[3]], /results\.jsonl:4: not a results line/],
    ['scores of another length', (held: string[]) => [held[0].replace(/"complexity":\[[-0-9.e]+,/, '"complexity":[')], /results\.jsonl:1: 'perSample\.complexity' is not a list of 4 scores/],
  ])('%s: one line, nothing computed, nothing written; report writes nothing either', async (name, edit, message) => {
    const out = copyRun(name.replace(/ /g, '_'), edit);
    const before = fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8');
    let planned = false;
    await expect(run({ config, out, resume: true, onPlan: () => (planned = true) })).rejects.toThrow(message);
    expect(planned).toBe(false);
    expect(fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8')).toBe(before);
    const merged = path.join(dir, `${name.replace(/ /g, '_')}_report`);
    await expect(report({ dirs: [out], out: merged })).rejects.toThrow(message);
    expect(fs.existsSync(merged)).toBe(false);
  });

  test('identical repeated lines are one line; shards that disagree on a configuration are refused', async () => {
    const twice = copyRun('repeated', (held) => [...held, held[3]]);
    await expect(report({ dirs: [twice], out: path.join(dir, 'repeated_report') })).resolves.toMatchObject({ evaluated: 16 });
    const a = copyRun('shard_a', (held) => held.slice(0, 8));
    const b = copyRun('shard_b', (held) => [held[7].replace(/"sparseness":\[[-0-9.e]+/, '"sparseness":[0.5'), ...held.slice(8)]);
    await expect(report({ dirs: [a, b], out: path.join(dir, 'shards_report') })).rejects.toThrow(/appears twice with different contents/);
    expect(fs.existsSync(path.join(dir, 'shards_report'))).toBe(false);
  });
});
