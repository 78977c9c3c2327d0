// `npm run build:prebuild` produces a binary that a second, clean checkout loads without compiling.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { MODELS, REPO } from '../helpers';

const PLATFORM = `${process.platform}-${process.arch}`;

/** Copies the files git tracks (those that exist) into a new scratch folder. */
function trackedCopy(prefix: string): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const tracked = execFileSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of tracked) {
    if (!fs.existsSync(path.join(REPO, file))) continue;
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(REPO, file), path.join(copy, file));
  }
  return copy;
}

test('a prebuilt binary loads in a clean checkout that never compiled', () => {
  // `npm run build:prebuild` runs in a scratch checkout (with the repository's node_modules), so the test
  // leaves the repository's prebuilds/ alone. The binary is named after the libtorch it is built
  // against: lrp-node.cuda.node on a CUDA libtorch, lrp-node.cpu.node otherwise.
  const variant = require('../../scripts/find-libtorch.js').findLibtorch().cuda ? 'cuda' : 'cpu';
  const repoPrebuilds = fs.existsSync(path.join(REPO, 'prebuilds')) ? fs.readdirSync(path.join(REPO, 'prebuilds'), { recursive: true }) : null;
  const builder = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-prebuild-'));
  for (const entry of ['package.json', 'binding.gyp', 'native', 'scripts']) {
    fs.cpSync(path.join(REPO, entry), path.join(builder, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(builder, 'node_modules'), 'dir');
  const prebuild = spawnSync('npm', ['run', 'build:prebuild'], { cwd: builder, encoding: 'utf8' });
  expect(prebuild.status).toBe(0);
  const binary = path.join(builder, 'prebuilds', PLATFORM, `lrp-node.${variant}.node`);
  expect(fs.existsSync(binary)).toBe(true);
  expect(fs.existsSync(path.join(REPO, 'prebuilds')) ? fs.readdirSync(path.join(REPO, 'prebuilds'), { recursive: true }) : null).toEqual(repoPrebuilds);

  // The clean checkout: the tracked sources, the installed dependencies, the prebuilt binary, the
  // compiled TypeScript, and no build/.
  const clean = trackedCopy('lrp-clean-');
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(clean, 'node_modules'), 'dir');
  fs.cpSync(path.join(builder, 'prebuilds'), path.join(clean, 'prebuilds'), { recursive: true });
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
  expect(report.binary).toBe(path.join(clean, 'prebuilds', PLATFORM, `lrp-node.${variant}.node`));
  expect(report.shape).toEqual([2, 10]);
  expect(fs.existsSync(path.join(clean, 'build'))).toBe(false);
  fs.rmSync(clean, { recursive: true, force: true });
  fs.rmSync(builder, { recursive: true, force: true });
}, 900000);
