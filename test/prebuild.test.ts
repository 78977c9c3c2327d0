// `npm run build:prebuild` produces a binary that a second, clean checkout loads without compiling.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { MODELS, REPO } from './helpers';

const PLATFORM = `${process.platform}-${process.arch}`;

test('a prebuilt binary loads in a clean checkout that never compiled', () => {
  const prebuild = spawnSync('npm', ['run', 'build:prebuild'], { cwd: REPO, encoding: 'utf8' });
  expect(prebuild.status).toBe(0);
  const binary = path.join(REPO, 'prebuilds', PLATFORM, 'lrp-node.cpu.node');
  expect(fs.existsSync(binary)).toBe(true);

  // The clean checkout: the tracked sources, the prebuilt binary, the compiled TypeScript.
  const clean = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-clean-'));
  const tracked = execFileSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of tracked) {
    if (!fs.existsSync(path.join(REPO, file))) continue;
    fs.mkdirSync(path.dirname(path.join(clean, file)), { recursive: true });
    fs.copyFileSync(path.join(REPO, file), path.join(clean, file));
  }
  fs.cpSync(path.join(REPO, 'prebuilds'), path.join(clean, 'prebuilds'), { recursive: true });
  fs.cpSync(path.join(REPO, 'dist'), path.join(clean, 'dist'), { recursive: true });
  expect(fs.existsSync(path.join(clean, 'build'))).toBe(false);

  const script = `
    const lrp = require('./dist/index.js');
    lrp.loadModel(${JSON.stringify(path.join(MODELS, 'vgg.pt'))})
      .then((m) => lrp.readNpy(${JSON.stringify(path.join(MODELS, 'vgg.input0.npy'))}).then((x) => m.forward(x)))
      .then((y) => console.log(JSON.stringify({ binary: lrp.loadedBinary(), shape: y.shape })));`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: clean, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  const report = JSON.parse(result.stdout);
  expect(report.binary).toBe(path.join(clean, 'prebuilds', PLATFORM, 'lrp-node.cpu.node'));
  expect(report.shape).toEqual([2, 10]);
  expect(fs.existsSync(path.join(clean, 'build'))).toBe(false);
  fs.rmSync(clean, { recursive: true, force: true });
}, 900000);
