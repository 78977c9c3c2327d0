import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { readNpy } from '../lib';
import { CLI, FAMILIES, manifest, maxAbsDiff, MODELS, modelPath, roundOff } from './helpers';

function lrpNode(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-cli-'));

describe('lrp-node CLI (CONTRACT.md)', () => {
  test.each(FAMILIES)('inspect --json %s: layers and counts', (name) => {
    const { status, stdout } = lrpNode('inspect', '--model', modelPath(name), '--json');
    expect(status).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.counts.conv2d ?? 0).toBe(manifest.models[name].modules.Conv2d ?? 0);
    expect(report.counts.batch_norm ?? 0).toBe(manifest.models[name].modules.BatchNorm2d ?? 0);
    for (const layer of report.layers) {
      expect(Object.keys(layer)).toEqual(expect.arrayContaining(['name', 'op', 'inputs', 'params']));
    }
  });

  test('inspect prints a readable table', () => {
    const { status, stdout } = lrpNode('inspect', '--model', modelPath('vgg_bn'));
    expect(status).toBe(0);
    expect(stdout).toMatch(/features\.1\s+batch_norm\s+bias\[8\]/);
  });

  test('forward writes the logits, equal to TorchScript', async () => {
    const out = path.join(tmp, 'rn.npy');
    const { status, stderr } = lrpNode('forward', '--model', modelPath('relation_net'),
      '--input', path.join(MODELS, 'relation_net.input0.npy'), '--input', path.join(MODELS, 'relation_net.input1.npy'), '--out', out);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const expected = await readNpy(path.join(MODELS, 'relation_net.output.npy'));
    const got = await readNpy(out);
    expect(got.shape).toEqual(expected.shape);
    expect(maxAbsDiff(got.data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
  });

  const oneLineFailure = (result: ReturnType<typeof lrpNode>, status: number, pattern: RegExp) => {
    expect(result.status).toBe(status);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(pattern);
  };

  test('missing model file', () => {
    oneLineFailure(lrpNode('inspect', '--model', path.join(tmp, 'nope.pt')), 1, /model file not found: .*nope\.pt/);
  });

  test('not a TorchScript file', () => {
    oneLineFailure(lrpNode('inspect', '--model', path.join(MODELS, 'not_torchscript.pt')), 1, /not a TorchScript file/);
  });

  test('unsupported operator names the operator and module path', () => {
    oneLineFailure(lrpNode('inspect', '--model', path.join(MODELS, 'unknown_op.pt')), 1, /aten::tanh in 'body\.1'/);
  });

  test('wrong input rank and wrong channels', () => {
    oneLineFailure(
      lrpNode('forward', '--model', modelPath('vgg'), '--input', path.join(MODELS, 'relation_net.input1.npy'), '--out', path.join(tmp, 'y.npy')),
      1, /input 0 \('x'\) has shape \[2,6\] \(rank 2\), but conv2d 'features\.0' needs rank 4/);
    const fiveChannels = path.join(tmp, 'five.npy');
    fs.writeFileSync(fiveChannels, require('../lib').encodeNpy(require('../lib').Tensor.zeros([1, 5, 32, 32])));
    oneLineFailure(lrpNode('forward', '--model', modelPath('vgg'), '--input', fiveChannels, '--out', path.join(tmp, 'y.npy')),
      1, /needs 3 channels/);
  });

  test('missing input file', () => {
    oneLineFailure(lrpNode('forward', '--model', modelPath('vgg'), '--input', path.join(tmp, 'none.npy'), '--out', path.join(tmp, 'y.npy')),
      1, /file not found: .*none\.npy/);
  });

  test('usage errors exit 2', () => {
    oneLineFailure(lrpNode('forward', '--model', modelPath('vgg')), 2, /--out is required/);
    oneLineFailure(lrpNode('frobnicate'), 2, /unknown command 'frobnicate'/);
    oneLineFailure(lrpNode('inspect', '--model', modelPath('vgg'), '--bogus'), 2, /bogus/);
  });

  test('subcommands of later issues say so instead of pretending', () => {
    oneLineFailure(lrpNode('explain', '--model', modelPath('vgg')), 1, /not available in this version/);
  });
});
