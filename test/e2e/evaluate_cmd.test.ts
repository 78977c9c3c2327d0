// The evaluate, search and report subcommands (CONTRACT "Evaluate and search"): outputs, Table 1,
// and bad configs failing with one line before any compute.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { loadDataset, loadModel, metrics, search } from '../../lib';
import { configurationAt, parseSpace } from '../../lib/search/space';
import { CLI, modelPath } from '../helpers';
import { ALL_METRICS, PAPER_DIRECTIONS, dataKeys, expectSelfContained, makeSearchData, METRIC_OPTIONS, SEARCH_SPACE, TARGETS, writeConfig } from '../helpers/search_data';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let data: Awaited<ReturnType<typeof makeSearchData>>;
beforeAll(async () => {
  data = await makeSearchData();
});

const EXPLAINERS = {
  'epsilon-plus-flat': { composite: 'epsilon-plus-flat' },
  gradient: { method: 'gradient' },
  'gamma-low': { composite: 'name-map', rules: [{ layers: ['features.0'], rule: 'gamma', gamma: 0.5 }] },
};

describe('lrp-node evaluate', () => {
  let out: string;
  beforeAll(() => {
    fs.writeFileSync(path.join(data.dir, 'gradient.json'), JSON.stringify(EXPLAINERS.gradient));
    const config = writeConfig(data.dir, 'EC.json', {
      ...dataKeys(data.dir), explainers: { ...EXPLAINERS, gradient: 'gradient.json' }, canonize: [false, true],
    });
    out = path.join(data.dir, 'evaluated');
    const run = cli('evaluate', '--config', config, '--out', out);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('results.jsonl: one line per explainer and canonize setting, scores equal the metrics API', async () => {
    const lines = fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.explainer, l.canonize])).toEqual([
      ['epsilon-plus-flat', false], ['epsilon-plus-flat', true], ['gradient', false], ['gradient', true], ['gamma-low', false], ['gamma-low', true],
    ]);
    expect(lines[0].curves['pixel-flipping']).toHaveLength(TARGETS.length);
    const model = await loadModel(dataKeys(data.dir).model as string);
    const expected = await metrics.evaluate({
      metrics: [...ALL_METRICS], masks: data.masks, model, inputs: data.inputs, targets: TARGETS,
      explain: { ...EXPLAINERS['gamma-low'], canonize: true } as never, seed: 5, options: METRIC_OPTIONS,
    });
    for (const m of ALL_METRICS) expect(lines[5].scores[m]).toEqual(Array.from(expected.scores[m]!, (v) => (Number.isNaN(v) ? null : v)));
  });

  it('table.md and table.json: mean ± standard error, directions, best per metric and setting marked', () => {
    const table = JSON.parse(fs.readFileSync(path.join(out, 'table.json'), 'utf8'));
    const lines = fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(table.metrics.find((m: { name: string }) => m.name === 'complexity').direction).toBe('min');
    const scores = lines[2].scores.sparseness as number[];
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const se = Math.sqrt(scores.reduce((a, v) => a + (v - mean) ** 2, 0) / (scores.length - 1) / scores.length);
    expect(table.rows[2].cells.sparseness.mean).toBeCloseTo(mean, 12);
    expect(table.rows[2].cells.sparseness.se).toBeCloseTo(se, 12);
    // Every metric's direction is the paper's (mutant caught: avg-/max-sensitivity as 'max' in
    // lib/search/pareto.ts), and the bold entry holds the extreme that direction names, for the ↑
    // metrics too (mutant caught: Table 1's best taking the minimum whatever the direction).
    expect(Object.fromEntries(table.metrics.map((m: { name: string; direction: string }) => [m.name, m.direction]))).toEqual(PAPER_DIRECTIONS);
    type Row = { canonize: boolean; cells: Record<string, { best: boolean; mean: number | null }> };
    for (const setting of [false, true]) {
      const rows = (table.rows as Row[]).filter((r) => r.canonize === setting);
      for (const m of ALL_METRICS) {
        const means = rows.map((r) => r.cells[m].mean).filter((v): v is number => v !== null);
        const extreme = PAPER_DIRECTIONS[m] === 'max' ? Math.max(...means) : Math.min(...means);
        const best = rows.filter((r) => r.cells[m].best);
        expect(best.length).toBeGreaterThanOrEqual(1);
        for (const r of best) expect([m, r.cells[m].mean]).toEqual([m, extreme]);
        // Precondition of the ↑ check: the three explainers do not tie on sparseness and rra.
        if (m === 'sparseness' || m === 'rra') expect(Math.min(...means)).toBeLessThan(extreme);
      }
    }
    const md = fs.readFileSync(path.join(out, 'table.md'), 'utf8');
    expect(md.split('\n')[0]).toBe(`| explainer | canonize | ${table.metrics.map((m: { name: string; direction: string }) => `${m.name} ${m.direction === 'max' ? '↑' : '↓'}`).join(' | ')} |`);
    expect(md).toMatch(/\*\*[-0-9.e]+ ± [-0-9.e]+\*\*/);
    expect(md.trim().split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| explainer') && !l.startsWith('| ---'))).toHaveLength(6);
  });

  it('report.html is written and loads nothing from elsewhere', () => {
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expectSelfContained(html);
    expect(html).toContain('<svg');
    expect(html).toContain('data:image/png;base64,');
    expect(fs.existsSync(path.join(out, 'means.png'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'heatmaps-gamma-low-can1.png'))).toBe(true);
  });
});

/** Exit 1 with one line matching `message`, and no output folder made. */
function expectFailsBeforeCompute(command: string, config: object, message: RegExp): void {
  const file = writeConfig(data.dir, `bad-${command}.json`, config);
  const out = path.join(data.dir, `bad-${command}-out`);
  const run = cli(command, '--config', file, '--out', out);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(fs.existsSync(out)).toBe(false);
}

describe('bad configs fail with one line before any compute', () => {
  const base = () => ({ ...dataKeys(data.dir), ...SEARCH_SPACE });
  it.each([
    ['unknown group layer', { groups: { low: ['features.0', 'features.99'] } }, /groups.low: unknown layer 'features.99'/],
    ['empty group', { groups: { low: [] } }, /groups.low: is an empty group/],
    ['empty value list', { space: { rule: 'gamma', values: [], canonize: [false] } }, /space.values: is an empty list/],
    ['metric needing masks without masks', { masks: undefined, metrics: ['rra'], options: undefined }, /metric 'rra' needs 'masks'/],
    ['target out of range', { target: '1,3,0,10' }, /target 10 of sample 3 is out of range: the model has 10 classes/],
    ['unknown key', { strategyy: { kind: 'grid' } }, /unknown key 'strategyy'/],
  ])('search: %s', (_, patch, message) => {
    expectFailsBeforeCompute('search', { ...base(), ...patch }, message);
  });

  it.each([
    ['unknown key', { explainer: {} }, /unknown key 'explainer'/],
    ['target out of range', { target: 12 }, /target 12 of sample 0 is out of range/],
  ])('evaluate: %s', (_, patch, message) => {
    expectFailsBeforeCompute('evaluate', { ...dataKeys(data.dir), explainers: EXPLAINERS, ...patch }, message);
  });

  it('bad usage exits 2', () => {
    const config = writeConfig(data.dir, 'ok.json', base());
    expect(cli('search', '--config', config, '--out', path.join(data.dir, 'x'), '--shard', '2/2').code).toBe(2);
    expect(cli('search', '--config', config).code).toBe(2);
    expect(cli('report', '--out', path.join(data.dir, 'y')).code).toBe(2);
  });
});

describe('a data folder (index.json) in place of input, target and masks', () => {
  it('scores equal the metrics API on the loaded samples', async () => {
    const folder = path.join(data.dir, 'folder');
    fs.mkdirSync(path.join(folder, 'images'), { recursive: true });
    fs.mkdirSync(path.join(folder, 'masks'));
    const sharp = require('sharp');
    const samples = [];
    for (let s = 0; s < 3; s++) {
      const rgb = Buffer.alloc(32 * 32 * 3);
      const mask = Buffer.alloc(32 * 32);
      for (let p = 0; p < 32 * 32; p++) {
        for (let c = 0; c < 3; c++) rgb[p * 3 + c] = (p * (s + 3) + c * 70) % 256;
        mask[p] = (p % 32) > 8 + s && (p % 32) < 20 && p > 200 ? 255 : 0;
      }
      const name = String(s).padStart(5, '0');
      await sharp(rgb, { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(path.join(folder, 'images', `${name}.png`));
      await sharp(mask, { raw: { width: 32, height: 32, channels: 1 } }).png().toFile(path.join(folder, 'masks', `${name}.png`));
      samples.push({ image: `images/${name}.png`, label: [2, 5, 9][s], mask: `masks/${name}.png` });
    }
    fs.writeFileSync(path.join(folder, 'index.json'), JSON.stringify({
      name: 'tiny', split: 'test', classes: Array.from({ length: 10 }, (_, i) => `c${i}`),
      preprocessing: { size: [32, 32], mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, questionLength: 0, samples,
    }));
    const { input: _input, target: _target, masks: _masks, ...rest } = dataKeys(data.dir);
    const config = { ...rest, metrics: ['rra', 'random-logit'], options: undefined, data: 'folder', ...SEARCH_SPACE, strategy: { kind: 'random', samples: 2 } };
    const results = [];
    for await (const r of search({ config, baseDir: data.dir })) results.push(r);
    expect(results).toHaveLength(2);
    const dataset = await loadDataset(folder);
    const model = await loadModel(modelPath('vgg_bn'));
    const space = parseSpace(SEARCH_SPACE, 'SC.json');
    for (const r of results) {
      const expected = await metrics.evaluate({
        metrics: ['rra', 'random-logit'], masks: dataset.masks, model, inputs: dataset.inputs, targets: Array.from(dataset.targets),
        explain: configurationAt(space, r.index).explain, seed: 5,
      });
      expect(r.perSample.rra).toEqual(Array.from(expected.scores.rra!));
      expect(r.perSample['random-logit']).toEqual(Array.from(expected.scores['random-logit']!));
    }
    await expect(search({ config: { ...config, input: 'x.npy' }, baseDir: data.dir }).next()).rejects.toThrow(/'data' replaces 'input'/);
  });
});
