#!/usr/bin/env node
// npm's install step: keep a prebuilt binary when one matches the libtorch found here, otherwise
// build from source with cmake-js.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const prebuilds = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);

const { readBuildInfo } = require('./build-info');

let libtorch;
try {
  libtorch = require('./find-libtorch').findLibtorch();
} catch (error) {
  libtorch = undefined;
}
const candidates = ['lrp-node.cuda.node', 'lrp-node.cpu.node'].map((f) => path.join(prebuilds, f)).filter(fs.existsSync);
const match = candidates.find((file) => {
  const info = readBuildInfo(file);
  return info && libtorch && info.libtorch === libtorch.version && (!info.cuda || libtorch.cuda);
});
if (match) {
  console.log(`lrp-node: using prebuilt ${path.relative(root, match)} (libtorch ${libtorch.version})`);
  process.exit(0);
}
const result = spawnSync(process.execPath, [path.join(__dirname, 'build-native.js')], { cwd: root, stdio: 'inherit' });
process.exit(result.status === null ? 1 : result.status);
