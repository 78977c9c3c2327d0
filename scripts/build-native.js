#!/usr/bin/env node
// Builds the addon with cmake-js (the main build): build/Release/lrp_node.node.
'use strict';

const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { findLibtorch, describe } = require('./find-libtorch');

const root = path.join(__dirname, '..');
try {
  console.log(`lrp-node: building against ${describe(findLibtorch())}`);
} catch (error) {
  console.error(`lrp-node: ${error.message}`);
  process.exit(1);
}
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const jobs = String(Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length));
const result = spawnSync(process.execPath, [cmakeJs, 'compile', '--parallel', jobs, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status === null ? 1 : result.status);
