// scripts/demo.js (npm run demo, the end of npm run setup): bad usage and an output folder that is
// not new fail with one line before any compute. The job itself runs in CI through npm run setup.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { REPO } from './helpers';

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
