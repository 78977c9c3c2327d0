// scripts/demo.js (npm run demo, the end of npm run setup): bad usage and an output folder that is
// not new fail with one line before any compute. The job itself runs in CI through npm run setup.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { loadModel } from '../../lib';
import { vggGroups } from '../../lib/search/vgg_groups';
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
