import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { encodeNpy, loadModel, metrics, readNpy, Tensor } from '../../lib';
import { CLI, FAMILIES, manifest, maxAbsDiff, MODELS, modelPath, roundOff } from '../helpers';

function lrpNode(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function oneLineFailure(result: ReturnType<typeof lrpNode>, status: number, pattern: RegExp) {
  expect(result.status).toBe(status);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-cli-'));

describe('lrp-node CLI (docs/cli.md)', () => {
  test.each(FAMILIES)('inspect --json %s: layers and counts', (name) => {
    const { status, stdout } = lrpNode('inspect', '--model', modelPath(name), '--json');
    expect(status).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.counts.conv2d ?? 0).toBe(manifest.models[name].modules.Conv2d ?? 0);
    expect(report.counts.batch_norm ?? 0).toBe(manifest.models[name].modules.BatchNorm2d ?? 0);
    for (const layer of report.layers) {
      expect(Object.keys(layer)).toEqual(expect.arrayContaining(['name', 'op', 'category', 'inputs', 'params']));
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
    fs.writeFileSync(fiveChannels, require('../../lib').encodeNpy(require('../../lib').Tensor.zeros([1, 5, 32, 32])));
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


});

describe('lrp-node CLI: canonization', () => {
  test.each(FAMILIES)('inspect --canonize --json %s: no batch norm left, each fold reported', (name) => {
    const { status, stdout, stderr } = lrpNode('inspect', '--model', modelPath(name), '--canonize', '--json');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.counts.batch_norm).toBe(0);
    expect(report.canonization.order).toBe('left-first');
    expect(report.canonization.folds).toHaveLength(manifest.models[name].modules.BatchNorm2d ?? 0);
  });

  test('inspect --canonize lists which pass folded each batch norm into which layer', () => {
    const { status, stdout } = lrpNode('inspect', '--model', modelPath('relation_net'), '--canonize');
    expect(status).toBe(0);
    expect(stdout).toMatch(/canonization \(left-first\):/);
    expect(stdout).toMatch(/encoder\.2: bn-linear into encoder\.3/);
    expect(stdout).toMatch(/encoder\.8: bn-concat-linear into g\.0/);
  });

  test('forward --canonize and --config {canonize: {order}} equal TorchScript', async () => {
    const expected = await readNpy(path.join(MODELS, 'densenet.output.npy'));
    const config = path.join(tmp, 'relu-first.json');
    fs.writeFileSync(config, JSON.stringify({ composite: 'epsilon-plus-flat', canonize: { order: 'relu-first', biasMapInZ: false } }));
    for (const flags of [['--canonize'], ['--config', config]]) {
      const out = path.join(tmp, `dn-${flags.length}.npy`);
      const { status, stderr } = lrpNode('forward', '--model', modelPath('densenet'),
        '--input', path.join(MODELS, 'densenet.input0.npy'), ...flags, '--out', out);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(maxAbsDiff((await readNpy(out)).data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
    }
  });

  test('bad configs are one line', () => {
    const input = path.join(MODELS, 'vgg_bn.input0.npy');
    const run = (config: string) => lrpNode('forward', '--model', modelPath('vgg_bn'), '--input', input, '--config', config, '--out', path.join(tmp, 'x.npy'));
    oneLineFailure(run(path.join(tmp, 'missing.json')), 1, /config file not found/);
    fs.writeFileSync(path.join(tmp, 'bad.json'), '{ canonize: ');
    oneLineFailure(run(path.join(tmp, 'bad.json')), 1, /not valid JSON/);
    fs.writeFileSync(path.join(tmp, 'order.json'), JSON.stringify({ canonize: { order: 'sideways' } }));
    oneLineFailure(run(path.join(tmp, 'order.json')), 1, /canonize\.order must be left-first or relu-first/);
    oneLineFailure(lrpNode('forward', '--model', modelPath('vgg_bn'), '--input', input, '--canonize', '--config', path.join(tmp, 'order.json'), '--out', 'x'), 2, /exclusive/);
  });
});

describe('lrp-node CLI: explain', () => {
  const zennit = path.join(__dirname, '..', 'fixtures', 'zennit');
  const input = path.join(MODELS, 'vgg_bn.input0.npy');

  test('explain writes zennit\'s relevance and the logits of the explained model', async () => {
    const config = path.join(tmp, 'epf.json');
    fs.writeFileSync(config, JSON.stringify({ method: 'lrp', composite: 'epsilon-plus-flat', canonize: true }));
    const out = path.join(tmp, 'r.npy');
    const logits = path.join(tmp, 'y.npy');
    const { status, stderr } = lrpNode('explain', '--model', modelPath('vgg_bn'), '--input', input, '--config', config,
      '--target', '1,2', '--out', out, '--logits', logits);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const relevance = await readNpy(out);
    const expected = await readNpy(path.join(zennit, 'vgg_bn.epsilon-plus-flat.canonized.npy'));
    expect(relevance.shape).toEqual([2, 3, 32, 32]);
    let num = 0;
    let den = 0;
    for (let i = 0; i < expected.data.length; i++) {
      num += (relevance.data[i] - expected.data[i]) ** 2;
      den += expected.data[i] ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThan(1e-5);
    const reference = await readNpy(path.join(MODELS, 'vgg_bn.output.npy'));
    expect(maxAbsDiff((await readNpy(logits)).data, reference.data)).toBeLessThanOrEqual(roundOff(reference.data));
  });

  test('explain --png writes the heatmaps (samples side by side)', () => {
    const config = path.join(tmp, 'gb.json');
    fs.writeFileSync(config, JSON.stringify({ composite: 'guided-backprop' }));
    const png = path.join(tmp, 'r.png');
    const { status, stderr } = lrpNode('explain', '--model', modelPath('vgg_bn'), '--input', input, '--config', config,
      '--target', 'argmax', '--out', path.join(tmp, 'r2.npy'), '--png', png, '--cmap', 'coldnhot', '--pool', 'max-norm', '--overlay');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const bytes = fs.readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBe(64);  // IHDR width: 2 samples × 32
    expect(bytes.readUInt32BE(20)).toBe(32);
  });

  test('bad targets, configs and rules are one line', () => {
    const config = path.join(tmp, 'ep.json');
    fs.writeFileSync(config, JSON.stringify({ composite: 'epsilon-plus' }));
    const run = (cfg: string, target: string) => lrpNode('explain', '--model', modelPath('vgg_bn'), '--input', input,
      '--config', cfg, '--target', target, '--out', path.join(tmp, 'r.npy'));
    oneLineFailure(run(config, 'cat'), 1, /--target must be a class index/);
    oneLineFailure(run(config, '12'), 1, /target 12 of sample 0 is not a class index/);
    oneLineFailure(run(config, '1,2,3'), 1, /got 3 targets for a batch of 2/);
    const unknown = path.join(tmp, 'unknown.json');
    fs.writeFileSync(unknown, JSON.stringify({ composite: 'epsilon-plus', gama: 0.1 }));
    oneLineFailure(run(unknown, '1'), 1, /unknown key 'gama'/);
    const layer = path.join(tmp, 'layer.json');
    fs.writeFileSync(layer, JSON.stringify({ composite: 'epsilon-plus', rules: [{ layers: ['features.00'], rule: 'gamma' }] }));
    oneLineFailure(run(layer, '1'), 1, /no layer named 'features\.00'.*did you mean 'features\.0'/);
    const comp = path.join(tmp, 'comp.json');
    fs.writeFileSync(comp, JSON.stringify({ composite: 'plus-epsilon' }));
    oneLineFailure(run(comp, '1'), 1, /unknown composite 'plus-epsilon'/);
  });
});

describe('lrp-node CLI: metrics', () => {
  test('metrics --config MC.json --out scores.json (paths relative to MC.json, NaN as null, curves)', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'mc-'));
    const quantus = path.join(__dirname, '..', 'fixtures', 'quantus');
    fs.copyFileSync(path.join(quantus, 'pixel_flipping_attributions.npy'), path.join(dir, 'A.npy'));
    fs.writeFileSync(path.join(dir, 'C.json'), JSON.stringify({ composite: 'epsilon-plus-flat' }));
    const masks = new Float32Array(2 * 32 * 32);
    masks.fill(1, 1024, 1024 + 200);  // sample 0: empty mask → NaN
    fs.writeFileSync(path.join(dir, 'S.npy'), encodeNpy(new Tensor(masks, [2, 1, 32, 32])));
    fs.writeFileSync(path.join(dir, 'MC.json'), JSON.stringify({
      metrics: ['sparseness', 'rra', 'rma', 'pixel-flipping', 'region-perturbation', 'random-logit'],
      attributions: 'A.npy', masks: 'S.npy', model: modelPath('vgg'), input: path.join(MODELS, 'vgg.input0.npy'),
      target: '1,2', explain: 'C.json', pool: 'max-norm', seed: 5,
      options: { 'pixel-flipping': { featuresInStep: 256 }, 'region-perturbation': { patchSize: 8, regions: 5 } },
    }));
    const out = path.join(dir, 'scores.json');
    const { status, stderr } = lrpNode('metrics', '--config', path.join(dir, 'MC.json'), '--out', out);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const scores = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(scores.rra[0]).toBeNull();
    expect(typeof scores.rra[1]).toBe('number');
    expect(scores.sparseness).toHaveLength(2);
    expect(scores.curves['pixel-flipping'][0]).toHaveLength(12);
    expect(scores.curves['region-perturbation'][1]).toHaveLength(5);
    expect(scores['random-logit']).toHaveLength(2);
    // The values are the API's (whose parity with Quantus is in metrics*.test.ts), NaN as null.
    // Mutants caught: the CLI ignoring `pool` or a metric's options, or dropping the seed.
    const model = await loadModel(modelPath('vgg'));
    const inputs = await readNpy(path.join(MODELS, 'vgg.input0.npy'));
    const attributions = await readNpy(path.join(dir, 'A.npy'));
    const maskTensor = await readNpy(path.join(dir, 'S.npy'));
    const given = { attributions, pool: 'max-norm' as const };  // not the default (sum)
    const perturbed = { ...given, model, inputs, targets: [1, 2] };
    const pf = await metrics.pixelFlipping({ ...perturbed, featuresInStep: 256 });
    const rp = await metrics.regionPerturbation({ ...perturbed, patchSize: 8, regions: 5 });
    const api: Record<string, Float64Array> = {
      sparseness: await metrics.sparseness(given), rra: await metrics.rra({ ...given, masks: maskTensor }),
      rma: await metrics.rma({ ...given, masks: maskTensor }), 'pixel-flipping': pf.scores, 'region-perturbation': rp.scores,
      'random-logit': await metrics.randomLogit({ ...perturbed, seed: 5, explain: { composite: 'epsilon-plus-flat' } }),
    };
    const json = (v: ArrayLike<number>) => Array.from(v, (x) => (Number.isNaN(x) ? null : x));
    for (const [name, values] of Object.entries(api)) expect([name, scores[name]]).toEqual([name, json(values)]);
    expect(scores.curves['pixel-flipping']).toEqual(pf.curves.map(json));
    expect(scores.curves['region-perturbation']).toEqual(rp.curves.map(json));
  });

  test('a bad metrics config is one line', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'mc-'));
    fs.writeFileSync(path.join(dir, 'MC.json'), JSON.stringify({ metrics: ['sparsness'], attributions: 'A.npy' }));
    oneLineFailure(lrpNode('metrics', '--config', path.join(dir, 'MC.json'), '--out', path.join(dir, 'o.json')), 1, /unknown metric 'sparsness'/);
    fs.writeFileSync(path.join(dir, 'MC2.json'), JSON.stringify({ metrics: ['rra'], attributions: path.join(__dirname, '..', 'fixtures', 'quantus', 'attributions.npy') }));
    oneLineFailure(lrpNode('metrics', '--config', path.join(dir, 'MC2.json'), '--out', path.join(dir, 'o.json')), 1, /metric 'rra' needs masks/);
  });
});
