#!/usr/bin/env node
// The main job, for now: `lrp-node inspect` and `lrp-node forward` on a shipped model, with the
// output checked against TorchScript's own (test/fixtures/models, made by bench/fixtures).
'use strict';

const os = require('os');
const path = require('path');
const fs = require('fs');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const models = path.join(root, 'test', 'fixtures', 'models');
const name = process.argv[2] || 'resnet_basic';

function lrpNode(args) {
  console.log(`$ lrp-node ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (result.status !== 0) process.exit(result.status || 1);
  return result.stdout;
}

const { parseNpy } = require(path.join(root, 'dist', 'npy.js'));
const model = path.join(models, `${name}.pt`);
process.stdout.write(lrpNode(['inspect', '--model', model]).split('\n').slice(0, 8).join('\n') + '\n  ...\n');
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-node-demo-')), 'logits.npy');
const inputs = fs.readdirSync(models).filter((f) => f.startsWith(`${name}.input`)).sort();
lrpNode(['forward', '--model', model, ...inputs.flatMap((f) => ['--input', path.join(models, f)]), '--out', out]);
const got = parseNpy(fs.readFileSync(out));
const expected = parseNpy(fs.readFileSync(path.join(models, `${name}.output.npy`)));
let maxError = 0;
for (let i = 0; i < expected.data.length; i++) maxError = Math.max(maxError, Math.abs(got.data[i] - expected.data[i]));
console.log(`forward ${name}: logits [${got.shape}], max |lrp-node - TorchScript| = ${maxError.toExponential(2)}`);
if (!(maxError <= 1e-4)) {
  console.error('lrp-node demo: the forward does not match TorchScript');
  process.exit(1);
}
