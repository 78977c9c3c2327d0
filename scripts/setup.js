#!/usr/bin/env node
// npm run setup: everything a fresh Debian machine with Node needs, then the main job.
//   1. a libtorch (Debian's libtorch-dev through apt when none is found and we are root;
//      otherwise the command to run is printed), the ONNX library (libonnx-dev, for ONNX
//      models), cmake/g++ for the build, and redis-server for the job-queue tests
//      (test/e2e/queue.test.ts starts its own);
//   2. npm dependencies (npm ci), the native addon (cmake-js) and the TypeScript (dist/);
//   3. the demo (scripts/demo.js): Table 1 and a reduced Fig. 2 search on the shipped benchmark.
// It uses only Node built-ins until step 2 has installed the rest.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { findLibtorch, describe } = require('./find-libtorch');

const root = path.join(__dirname, '..');

function run(command, args, options = {}) {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`lrp-node setup: \`${command} ${args.join(' ')}\` failed`);
    process.exit(result.status || 1);
  }
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function ensureSystemPackages() {
  const missing = [];
  let libtorch;
  try {
    libtorch = findLibtorch();
  } catch {
    missing.push('libtorch-dev');
  }
  if (!fs.existsSync('/usr/include/onnx/onnx_pb.h')) missing.push('libonnx-dev');
  if (!has('cmake')) missing.push('cmake');
  if (!has('g++')) missing.push('g++');
  if (!has('redis-server')) missing.push('redis-server');
  if (missing.length === 0) {
    console.log(`lrp-node setup: ${describe(libtorch)}`);
    return;
  }
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    console.error(`lrp-node setup: missing ${missing.join(', ')}. Install with:\n  sudo ${command}\n` +
      'or point LIBTORCH at a libtorch folder, or set LIBTORCH_USE_PYTORCH=1 to use python3\'s torch.');
    process.exit(1);
  }
  run('sh', ['-c', command], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  console.log(`lrp-node setup: ${describe(findLibtorch())}`);
}

ensureSystemPackages();
run('npm', [fs.existsSync(path.join(root, 'package-lock.json')) ? 'ci' : 'install', '--foreground-scripts']);
if (!fs.existsSync(path.join(root, 'build', 'Release', 'lrp_node.node'))) run('node', ['scripts/build-native.js']);
run('npx', ['tsc', '-p', 'tsconfig.json']);
run('node', ['scripts/demo.js']);
