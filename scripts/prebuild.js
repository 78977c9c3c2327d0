#!/usr/bin/env node
// npm run build:prebuild: a prebuilt binary in prebuilds/<platform>-<arch>/lrp-node.<cpu|cuda>.node.
// prebuildify drives node-gyp (binding.gyp: the same sources and libtorch discovery as the CMake
// build). It runs in a scratch copy of the sources, because `node-gyp rebuild` wipes build/, where
// the cmake-js build lives. The variant tag is added here because node-gyp-build's tags cannot
// tell CPU from CUDA; lib/native/binding.ts, lrp-node's own loader, looks for exactly these names.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { findLibtorch, describe } = require('./find-libtorch');

const root = path.join(__dirname, '..');
let info;
try {
  info = findLibtorch();
} catch (error) {
  console.error(`lrp-node: ${error.message}`);
  process.exit(1);
}
console.log(`lrp-node prebuild against ${describe(info)}`);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-node-prebuild-'));
for (const entry of ['package.json', 'binding.gyp', 'native', 'scripts']) {
  fs.cpSync(path.join(root, entry), path.join(scratch, entry), { recursive: true });
}
fs.symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
const out = path.join(scratch, 'out');
const result = spawnSync(process.execPath, [require.resolve('prebuildify/bin.js'), '--napi', '--strip', '--out', out], {
  cwd: scratch,
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status === null ? 1 : result.status);

const platformDir = `${process.platform}-${process.arch}`;
const built = fs.readdirSync(path.join(out, 'prebuilds', platformDir)).filter((f) => f.endsWith('.node'));
if (built.length !== 1) {
  console.error(`lrp-node: expected one binary from prebuildify, found ${built.join(', ') || 'none'}`);
  process.exit(1);
}
const targetDir = path.join(root, 'prebuilds', platformDir);
fs.mkdirSync(targetDir, { recursive: true });
const target = path.join(targetDir, `lrp-node.${info.cuda ? 'cuda' : 'cpu'}.node`);
fs.copyFileSync(path.join(out, 'prebuilds', platformDir, built[0]), target);
fs.rmSync(scratch, { recursive: true, force: true });
console.log(`lrp-node: wrote ${path.relative(root, target)} (libtorch ${info.version})`);
