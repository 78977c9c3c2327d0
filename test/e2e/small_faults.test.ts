// Issue 30 item 7, the smaller ones: a data limit above the split warns; a data folder whose classes
// do not fit the model is refused; a canonize setting listed twice is refused; evaluate does not
// tell to pass a --resume it has not; a file error names the file in words; a space value the rule
// cannot take names the config before any model loads and leaves no run.json; the temporary files
// of a run killed with -9 are removed by the next run.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';

import { evaluate, search } from '../../lib';
import { CLI } from '../helpers';
import { dataKeys, makeSearchData, SEARCH_SPACE, writeConfig } from '../helpers/search_data';

let dir: string;
const SMALL = { metrics: ['sparseness'], options: {} };

async function all<T>(run: AsyncGenerator<T, unknown>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of run) out.push(r);
  return out;
}

/** A data folder of `n` 32×32 images labelled 0..n-1 with `classes` class names. */
async function dataFolder(name: string, n: number, classes: number): Promise<string> {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder);
  for (let i = 0; i < n; i++) {
    await sharp(Buffer.alloc(32 * 32 * 3, 40 * i), { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(path.join(folder, `${i}.png`));
  }
  fs.writeFileSync(path.join(folder, 'index.json'), JSON.stringify({
    name, split: 'test', classes: Array.from({ length: classes }, (_, c) => `c${c}`), questionLength: 0,
    preprocessing: { size: [32, 32], mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    samples: Array.from({ length: n }, (_, i) => ({ image: `${i}.png`, label: i })),
  }));
  return folder;
}

function dataConfig(folder: string, data: object = {}): Record<string, unknown> {
  const { model } = dataKeys(dir);
  return { model, data: { path: folder, ...data }, ...SMALL, ...SEARCH_SPACE, space: { ...SEARCH_SPACE.space, values: [0.25], canonize: [false] } };
}

beforeAll(async () => {
  ({ dir } = await makeSearchData());
});

test('a data limit above the split warns; classes that do not fit the model are refused', async () => {
  const ten = await dataFolder('ten', 3, 10);
  const warnings: string[] = [];
  const results = await all(search({ config: dataConfig(ten, { limit: 5 }), baseDir: dir, onWarning: (m) => warnings.push(m) }));
  expect(results[0].samples).toBe(3);
  expect(warnings).toEqual([expect.stringMatching(/data\.limit 5 is more than the 3 samples of .*ten: using those/)]);
  const twelve = await dataFolder('twelve', 2, 12);
  await expect(all(search({ config: dataConfig(twelve), baseDir: dir }))).rejects.toThrow(/the data folder .*twelve has 12 classes, the model .*vgg_bn\.pt 10 outputs/);
});

test('a canonize setting twice (also written two ways) is refused, in search and evaluate', async () => {
  const keys = { ...dataKeys(dir), ...SMALL };
  await expect(all(search({ config: { ...keys, ...SEARCH_SPACE, space: { ...SEARCH_SPACE.space, canonize: [false, true, { order: 'left-first' }] } }, baseDir: dir })))
    .rejects.toThrow(/space\.canonize: holds the same setting twice \(true and \{"order":"left-first"\}, at 1 and 2\)/);
  await expect(all(evaluate({ config: { ...keys, explainers: { e: { composite: 'epsilon-plus' } }, canonize: [false, false] }, baseDir: dir })))
    .rejects.toThrow(/canonize: holds the same setting twice/);
});

test('a space value the rule cannot take names the config file, before the model loads; no run.json', async () => {
  const config = writeConfig(dir, 'SC_negative.json', { ...dataKeys(dir), ...SMALL, ...SEARCH_SPACE, model: path.join(dir, 'no-such-model.pt'), space: { ...SEARCH_SPACE.space, values: [0.25, -1] } });
  const out = path.join(dir, 'negative');
  await expect(all(search({ config, out }))).rejects.toThrow(/SC_negative\.json: space\.values: -1 is not a value of rule 'gamma' \(gamma must be a finite number ≥ 0, got -1\)/);
  expect(fs.existsSync(out)).toBe(false);
});

test('evaluate into a folder it wrote: no "pass --resume"; an --out that is a file: one line naming it', () => {
  const config = writeConfig(dir, 'EC.json', { ...dataKeys(dir), ...SMALL, explainers: { e: { composite: 'epsilon-plus' } } });
  const out = path.join(dir, 'evaluated');
  const first = spawnSync(process.execPath, [CLI, 'evaluate', '--config', config, '--out', out], { encoding: 'utf8' });
  expect(first.status).toBe(0);
  const again = spawnSync(process.execPath, [CLI, 'evaluate', '--config', config, '--out', out], { encoding: 'utf8' });
  expect(again.stderr).toBe(`lrp-node evaluate: ${path.join(out, 'results.jsonl')} already exists: choose another --out\n`);
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, '');
  const onFile = spawnSync(process.execPath, [CLI, 'evaluate', '--config', config, '--out', path.join(file, 'sub')], { encoding: 'utf8' });
  expect(onFile.stderr).toBe(`lrp-node evaluate: cannot create the folder ${path.join(file, 'sub')}: a part of the path is a file, not a folder (ENOTDIR)\n`);
  expect(onFile.status).toBe(1);
}, 60000);

test('the hidden temporary files of a run killed with -9 are removed by the next run', async () => {
  const config = writeConfig(dir, 'SC_tmp.json', { ...dataKeys(dir), ...SMALL, ...SEARCH_SPACE, space: { ...SEARCH_SPACE.space, values: [0.25], canonize: [false] } });
  const out = path.join(dir, 'stale');
  await all(search({ config, out }));
  // A process that has exited: its pid is free (the temporary file's name carries the writer's pid).
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const stale = path.join(out, `.summary.json.${dead}.0123456789ab.tmp`);
  const live = path.join(out, `.summary.json.${process.pid}.0123456789ab.tmp`);
  fs.writeFileSync(stale, 'cut');
  fs.writeFileSync(live, 'cut');
  await all(search({ config, out, resume: true }));
  expect(fs.existsSync(stale)).toBe(false);
  expect(fs.readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}, 60000);
