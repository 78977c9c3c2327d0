// `lrp-node inspect` on a model outside the operator table lists every unsupported operator with
// its module (the load still fails with one line naming the first), and `inspect --check` reports
// on one screen whether a model loads, canonizes completely, and which layers get which rule
// (docs/cli.md). Fixtures: test/fixture_makers/make_unsupported_ops_model.py (a tanh module, an
// erf in a block's forward, a cumulative sum in the top-level forward) and the torchvision parity
// models (make_torchvision_references.py).
import { spawnSync } from 'child_process';
import * as path from 'path';

import { loadModel, unsupportedOperators } from '../../lib';
import { CLI, modelPath } from '../helpers';

const UNSUPPORTED = path.join(__dirname, '..', 'fixtures', 'ops', 'unsupported_ops.pt');
const MOBILENET_V3 = path.join(__dirname, '..', 'fixtures', 'torchvision', 'mobilenet_v3_small.pt');

function lrpNode(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const ALL_THREE = [
  { operator: 'aten::tanh', module: 'stem.1' },
  { operator: 'aten::erf', module: 'block' },
  { operator: 'aten::cumsum', module: '' },
];

describe('unsupported operators', () => {
  test('unsupportedOperators lists each with its module, in the order met; [] for a model that loads', async () => {
    expect(await unsupportedOperators(UNSUPPORTED)).toEqual(ALL_THREE);
    expect(await unsupportedOperators(modelPath('efficientnet'))).toEqual([]);
    expect(await unsupportedOperators(MOBILENET_V3)).toEqual([]);
  });

  test('loadModel still fails with one line naming the first operator and its module', async () => {
    await expect(loadModel(UNSUPPORTED)).rejects.toThrow(/^unsupported operator aten::tanh in 'stem\.1'$/);
  });

  test('inspect lists them all on stdout and fails with the load error on stderr', () => {
    const { status, stdout, stderr } = lrpNode('inspect', '--model', UNSUPPORTED);
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/aten::tanh in 'stem\.1'/);
    expect(stdout.trim().split('\n')).toEqual([
      'unsupported operators (3):',
      "  aten::tanh in 'stem.1'",
      "  aten::erf in 'block'",
      '  aten::cumsum in the top-level forward',
    ]);
    const json = lrpNode('inspect', '--model', UNSUPPORTED, '--json');
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ unsupported: ALL_THREE });
  });
});

describe('inspect --check', () => {
  test('MobileNetV3: loads, canonizes completely, and each rule with its layers', () => {
    const { status, stdout, stderr } = lrpNode('inspect', '--model', MOBILENET_V3, '--check');
    expect([status, stderr]).toEqual([0, '']);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^loads: yes — \d+ layers, inputs /);
    expect(lines[1]).toMatch(/^canonizes: completely — all \d+ batch norms folded \(left-first\)$/);
    expect(lines[2]).toBe('rules of epsilon-plus-flat (layers, first names):');
    const plain = lines.slice(3, lines.indexOf('rules of epsilon-plus-flat with canonize: true:'));
    const rule = (name: string) => plain.find((l) => l.trim().startsWith(`${name} `));
    expect(rule('flat')).toMatch(/^\s+flat\s+1\s+features\.0\.0$/);
    expect(rule('epsilon')).toMatch(/^\s+epsilon\s+2\s+classifier\.0, classifier\.3$/);
    expect(rule('zplus')).toMatch(/^\s+zplus\s+\d+\s+features\.1\.block\.0\.0, /);
    // batch norms and activation modules (hardswish, ReLU, hardsigmoid), as zennit's base layer map
    expect(rule('pass')).toMatch(/^\s+pass\s+\d+\s+features\.0\.1, features\.0\.2, /);
    expect(rule('norm')).toMatch(/^\s+norm\s+\d+\s+/);  // residual sums and average poolings
    expect(rule('gate (signal takes it all)')).toMatch(/^\s+gate \(signal takes it all\)\s+\d+\s+features\.1\.block\.1\.mul/);
    expect(rule('gradient')).toMatch(/^\s+gradient\s+1\s+flatten$/);
  });

  test('a model that does not load: every unsupported operator, then the load error', () => {
    const { status, stdout, stderr } = lrpNode('inspect', '--model', UNSUPPORTED, '--check', '--composite', 'epsilon-plus');
    expect(status).toBe(1);
    expect(stdout.trim().split('\n')).toEqual([
      'loads: no', 'unsupported operators (3):', "  aten::tanh in 'stem.1'", "  aten::erf in 'block'",
      '  aten::cumsum in the top-level forward',
    ]);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  test('bad flags: an unknown composite, --composite without --check, --check with --json', () => {
    const unknown = lrpNode('inspect', '--model', MOBILENET_V3, '--check', '--composite', 'epsilon-plux');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown composite 'epsilon-plux' \(known: /);
    expect(lrpNode('inspect', '--model', MOBILENET_V3, '--composite', 'epsilon-plus').status).toBe(2);
    expect(lrpNode('inspect', '--model', MOBILENET_V3, '--check', '--json').status).toBe(2);
  });
});
