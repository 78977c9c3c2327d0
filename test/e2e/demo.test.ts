// scripts/demo.js (npm run demo, the end of npm run setup): bad usage and an output folder that is
// not new fail with one line before any compute. The job itself runs in CI through npm run setup.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { loadModel } from '../../lib';
import { vggGroups } from '../../lib/search/vgg_groups';
import { vitGroups } from '../../lib/search/vit_groups';
import { REPO } from '../helpers';

const DEMO = path.join(REPO, 'scripts', 'demo.js');

function demo(...args: string[]) {
  const result = spawnSync(process.execPath, [DEMO, ...args], { encoding: 'utf8', timeout: 60000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run demo', () => {
  it('--help prints the usage and the sample counts, exit 0', () => {
    const run = demo('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run demo -- \[--full\]/);
    expect(run.stdout).toMatch(/default: evaluate on \d+ samples per model, search on \d+; --full: \d+ and \d+/);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--samples', '0'], /--samples must be a positive integer, got '0'/],
    [['--search-samples', 'x'], /--search-samples must be a positive integer, got 'x'/],
    [['--models', 'vit,nope'], /--models: 'nope' is not in .*manifest\.json \(it lists vgg13_bn, .*vit\)/],
  ])('bad usage %j: one line, exit 2', (args, message) => {
    const run = demo(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
  });

  it('refuses an --out folder that is not empty, leaving it as it was', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-demo-test-'));
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    const run = demo('--out', dir, '--samples', '1');
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`lrp-node demo: --out ${dir}: exists and is not an empty folder; give a new one`);
    expect(fs.readdirSync(dir)).toEqual(['keep.txt']);
    fs.rmSync(dir, { recursive: true });
  });
});

describe("Table 1's ViT rows (npm run demo -- --models vit, 2 samples)", () => {
  // The job itself runs in CI through npm run setup; this runs the ViT's rows alone on 2 samples.
  // Mutants caught: the CNN explainers on the ViT (EpsilonPlusFlat needs no attention), canonize
  // yes rows for a model without batch norms, --models not restricting the run.
  test('AttnLRP, CP-LRP, Gradient, SmoothGrad, IntegratedGradients × canonize no, all ten metrics, finite', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-demo-vit-')), 'run');
    const result = spawnSync(process.execPath, [DEMO, '--models', 'vit', '--samples', '2', '--skip-search', '--out', out], { encoding: 'utf8', timeout: 300000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/evaluate vit \(shapes-loc, 2 test samples\): 5 explainers × canonize no \(no batch norm to fold\)/);
    expect(fs.readdirSync(path.join(out, 'evaluate'))).toEqual(['vit']);
    const lines = fs.readFileSync(path.join(out, 'evaluate', 'vit', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.explainer, l.canonize])).toEqual(
      ['AttnLRP', 'CpLRP', 'Gradient', 'SmoothGrad', 'IntegratedGradients'].map((name) => [name, false]),
    );
    for (const line of lines) {
      expect(Object.keys(line.scores)).toHaveLength(10);
      for (const [metric, scores] of Object.entries(line.scores as Record<string, (number | null)[]>)) {
        expect([line.explainer, metric, scores.length]).toEqual([line.explainer, metric, 2]);
        // a score is NaN (null) only for a degenerate attribution (constant, or all zero): none of these is
        expect([line.explainer, metric, scores.every((v) => v !== null && Number.isFinite(v))]).toEqual([line.explainer, metric, true]);
      }
    }
    // AttnLRP and CP-LRP differ (the softmax path gets relevance in one only)
    expect(lines[0].scores.sparseness).not.toEqual(lines[1].scores.sparseness);
    fs.rmSync(path.dirname(out), { recursive: true });
  });
});

describe("the demo's search groups (lib/search/vgg_groups.ts)", () => {
  // The paper's VGG-16 split by conv index on vgg13_bn's layer names, written out as docs/results.md lists
  // it. Mutants caught (each applied and seen to fail): the first group taking 3 or 5 convs, the
  // rest cut at floor instead of ceil (rest.length odd only on other VGGs: caught by the 7-conv
  // case), ReLUs or batch norms left out of `pass`.
  test('vgg13_bn: first 4 convs low, next 3 mid, last 3 high, the linears head; ReLUs and BNs pass', async () => {
    const model = await loadModel(path.join(REPO, 'data', 'models', 'vgg13_bn.pt'));
    const { groups, pass } = vggGroups(model.layers, 'vgg13_bn.pt');
    expect(groups).toEqual({
      low: ['features.0', 'features.3', 'features.7', 'features.10'],
      mid: ['features.14', 'features.17', 'features.21'],
      high: ['features.24', 'features.28', 'features.31'],
      head: ['classifier.0', 'classifier.3', 'classifier.6'],
    });
    const expectedPass = model.layers.filter((l) => l.op === 'relu' || l.op === 'batch_norm').map((l) => l.name);
    expect(expectedPass).toHaveLength(2 * 10 + 2);
    expect([...pass].sort()).toEqual([...expectedPass].sort());
    model.dispose();
  });

  test('an odd number of convs after the first four: mid takes the extra one; too few convs is one error', () => {
    const layers = (convs: number) => Array.from({ length: convs }, (_, i) => ({ name: `c${i}`, op: 'conv2d' }));
    expect(vggGroups(layers(7), 'x').groups).toMatchObject({ low: ['c0', 'c1', 'c2', 'c3'], mid: ['c4', 'c5'], high: ['c6'] });
    expect(() => vggGroups(layers(3), 'm.pt')).toThrow('m.pt: expected a VGG with at least 4 convolutions, found 3');
  });
});

describe("the ViT's search groups (lib/search/vit_groups.ts)", () => {
  // Mutants caught (each applied and seen to fail): the attention's output projection (linear_1)
  // counted in the MLP, the block found one level too high (every dense layer in one block), the
  // depth cut at floor instead of ceil (3 blocks), the head or the patch embedding put in a group.
  const block = (i: number) => `encoder.layers.encoder_layer_${i}`;
  const attn = (i: number) => [`${block(i)}.self_attention.linear`, `${block(i)}.self_attention.linear_1`];
  const mlp = (i: number) => [`${block(i)}.mlp.0`, `${block(i)}.mlp.3`];

  test('the shipped ViT: blocks 0–1 low, 2–3 high; attention projections apart from the MLP linears; head and patch embedding in none', async () => {
    const model = await loadModel(path.join(REPO, 'data', 'models', 'vit.pt'));
    const { groups, blocks } = vitGroups(model.layers, 'vit.pt');
    expect(blocks).toEqual([0, 1, 2, 3].map(block));
    expect(groups).toEqual({
      'attn-low': [...attn(0), ...attn(1)], 'mlp-low': [...mlp(0), ...mlp(1)],
      'attn-high': [...attn(2), ...attn(3)], 'mlp-high': [...mlp(2), ...mlp(3)],
    });
    const dense = model.layers.filter((l) => l.category === 'dense').map((l) => l.name);
    expect(dense.filter((name) => !Object.values(groups).flat().includes(name))).toEqual(['heads.head']);
    model.dispose();
  });

  test('an odd number of blocks: low takes the extra one; no attention or a softmax outside a block is one error', () => {
    const layers = (count: number) => Array.from({ length: count }, (_, i) => [
      { name: attn(i)[0], category: 'dense' as const }, { name: `${block(i)}.self_attention.softmax`, category: 'softmax' as const },
      { name: attn(i)[1], category: 'dense' as const }, { name: mlp(i)[0], category: 'dense' as const }, { name: mlp(i)[1], category: 'dense' as const },
    ]).flat();
    expect(vitGroups(layers(3), 'x').groups).toEqual({
      'attn-low': [...attn(0), ...attn(1)], 'mlp-low': [...mlp(0), ...mlp(1)], 'attn-high': attn(2), 'mlp-high': mlp(2),
    });
    expect(() => vitGroups(layers(1), 'm.pt')).toThrow('m.pt: expected a vision transformer with at least 2 attention blocks (one softmax each), found 1');
    const flat = [{ name: 'a.softmax', category: 'softmax' as const }, { name: 'b.softmax', category: 'softmax' as const }, { name: 'a.fc', category: 'dense' as const }];
    expect(() => vitGroups(flat, 'm.pt')).toThrow("m.pt: the attention 'a' is not inside an encoder block with attention projections and an MLP");
  });
});
