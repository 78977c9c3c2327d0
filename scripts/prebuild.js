#!/usr/bin/env node
// npm run prebuild: a prebuilt binary in prebuilds/<platform>-<arch>/lrp-node.<cpu|cuda>.node.
// prebuildify drives node-gyp (binding.gyp, the same sources and libtorch discovery as the CMake
// build); the variant tag is added here because node-gyp-build's tags cannot tell CPU from CUDA,
// and lib/native.ts, lrp-node's own loader, looks for exactly these names.
'use strict';

const fs = require('fs');
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

const staging = fs.mkdtempSync(path.join(require('os').tmpdir(), 'lrp-node-prebuild-'));
const prebuildify = require.resolve('prebuildify/bin.js');
const result = spawnSync(process.execPath, [prebuildify, '--napi', '--strip', '--out', staging], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status === null ? 1 : result.status);

const platformDir = `${process.platform}-${process.arch}`;
const built = fs.readdirSync(path.join(staging, 'prebuilds', platformDir)).filter((f) => f.endsWith('.node'));
if (built.length !== 1) {
  console.error(`lrp-node: expected one binary from prebuildify, found ${built.join(', ') || 'none'}`);
  process.exit(1);
}
const targetDir = path.join(root, 'prebuilds', platformDir);
fs.mkdirSync(targetDir, { recursive: true });
const target = path.join(targetDir, `lrp-node.${info.cuda ? 'cuda' : 'cpu'}.node`);
fs.copyFileSync(path.join(staging, 'prebuilds', platformDir, built[0]), target);
fs.rmSync(staging, { recursive: true, force: true });
console.log(`lrp-node: wrote ${path.relative(root, target)} (libtorch ${info.version})`);
