// ONNX import (docs/onnx.md): each fixture family exported with torch.onnx.export at opsets 13 and
// 17 (test/fixture_makers/make_onnx_models.py, at batch 1 with a dynamic batch axis) must give its
// TorchScript trace's forward, canonization and relevance — every composite, plain and canonized —
// run here at the fixtures' batch of 2. The tolerance is the float32 round-off of the TorchScript
// model itself, measured as the distance of its float32 relevance from its float64 relevance.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';

import { COMPOSITE_NAMES, loadModel, Model, readNpy, Tensor, unsupportedOperators } from '../../lib';
import type { ExplainConfig } from '../../lib';
import { CLI, FAMILIES, fixtureInputs, fixtureOutput, MODELS, maxAbsDiff, modelPath, rejection, relativeL2, roundOff } from '../helpers';

const OPSETS = [13, 17];
const onnxPath = (family: string, opset: number) => path.join(MODELS, `${family}.opset${opset}.onnx`);
const CASES = FAMILIES.flatMap((family) => OPSETS.map((opset) => [family, opset] as [string, number]));

// Every composite, plain and canonized (both orders); epsilon-gamma-box with the inputs' bounds.
function configs(): ExplainConfig[] {
  const out: ExplainConfig[] = [];
  for (const composite of COMPOSITE_NAMES) {
    for (const canonize of [false, { order: 'left-first' }, { order: 'relu-first' }]) {
      out.push({ composite, canonize, low: -5, high: 5 } as unknown as ExplainConfig);
    }
  }
  return out;
}

function foldSummary(model: Model): string[] {
  return (model.canonization?.folds ?? []).map((f) => `${f.batchNorm}:${f.pass}->${[...f.into].sort().join(',')}`).sort();
}

describe('ONNX models give their TorchScript trace\'s results', () => {
  test.each(CASES)('%s, opset %d: layers, forward at another batch, canonization, relevance of every composite', async (family, opset) => {
    const inputs = await fixtureInputs(family);
    const traced = await loadModel(modelPath(family));
    const exported = await loadModel(onnxPath(family, opset));

    // The same weighted layers under the same names, and the same op counts where a trace and an
    // export record the same operators.
    const weighted = (m: Model) => m.layers.filter((l) => ['convolution', 'dense', 'batch-norm'].includes(l.category)).map((l) => `${l.name}:${l.op}`);
    expect(weighted(exported)).toEqual(weighted(traced));
    for (const op of ['conv2d', 'linear', 'batch_norm', 'relu', 'silu', 'sigmoid', 'add', 'mul', 'cat', 'max_pool2d']) {
      expect([op, exported.counts[op] ?? 0]).toEqual([op, traced.counts[op] ?? 0]);
    }

    // Forward: exported at batch 1, run at batch 2 (and at 3, a batch neither saw).
    const expected = await fixtureOutput(family);
    const y = await exported.forward(inputs);
    expect(y.shape).toEqual(expected.shape);
    expect(maxAbsDiff(y.data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
    const three = inputs.map((x) => new Tensor(Float32Array.from([...x.data, ...x.data.subarray(0, x.data.length / x.shape[0])]), [x.shape[0] + 1, ...x.shape.slice(1)]));
    const y3 = await exported.forward(three);
    const t3 = await traced.forward(three);
    expect(maxAbsDiff(y3.data, t3.data)).toBeLessThanOrEqual(roundOff(t3.data));

    // Canonization: the same batch norms folded by the same passes into the same layers.
    for (const order of ['left-first', 'relu-first'] as const) {
      const a = await traced.canonize({ order });
      const b = await exported.canonize({ order });
      expect(foldSummary(b)).toEqual(foldSummary(a));
      expect(b.counts.batch_norm).toBe(a.counts.batch_norm);
    }

    // Relevance: every composite, plain and canonized, within the trace's own float32 round-off.
    for (const { config, distance, roundOff: r } of await relevanceDistances(traced, exported, modelPath(family), inputs, [1, 2])) {
      expect({ config, distance }).toEqual({ config, distance: expect.any(Number) });
      expect(distance).toBeLessThanOrEqual(5 * r + 1e-6);
    }
    for (const m of [traced, exported]) m.dispose();
  });
});

// The trace's float64 relevance, once per model (both opsets compare with it).
const float64Cache = new Map<string, Promise<Float64Array[]>>();
function float64Relevance(tracedPath: string, inputs: Tensor[], target: number[], all: ExplainConfig[]): Promise<Float64Array[]> {
  if (!float64Cache.has(tracedPath)) {
    float64Cache.set(tracedPath, (async () => {
      const model = await loadModel(tracedPath, { dtype: 'float64' });
      const many = await model.explainMany(inputs, target, all);
      model.dispose();
      return many.map((e) => Float64Array.from(e.relevance.data));
    })());
  }
  return float64Cache.get(tracedPath)!;
}

// The relevance of every composite, plain and canonized, from an ONNX model and from its trace:
// the largest distance and the trace's own float32 round-off there.
async function relevanceDistances(traced: Model, exported: Model, tracedPath: string, inputs: Tensor[], target: number[], all = configs()) {
  const fromTrace = await traced.explainMany(inputs, target, all);
  const fromExport = await exported.explainMany(inputs, target, all);
  const reference64 = await float64Relevance(tracedPath, inputs, target, all);
  return all.map((config, k) => ({
    config,
    distance: relativeL2(fromExport[k].relevance.data, fromTrace[k].relevance.data),
    roundOff: relativeL2(fromTrace[k].relevance.data, Float32Array.from(reference64[k])),
  }));
}

test('the ONNX ops the families do not export (Sub/Div by stored tensors, HardSwish, Pad + AveragePool, MatMul + Add, Transpose, Slice of sizes, Unsqueeze, ReduceMean) give the trace\'s results', async () => {
  const tracedPath = path.join(MODELS, 'onnx_ops_net.pt');
  const traced = await loadModel(tracedPath);
  const exported = await loadModel(path.join(MODELS, 'onnx_ops_net.onnx'));
  const x = await readNpy(path.join(MODELS, 'onnx_ops_net.input0.npy'));
  const expected = await readNpy(path.join(MODELS, 'onnx_ops_net.output.npy'));
  expect(maxAbsDiff((await exported.forward(x)).data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
  const ops = (m: Model) => m.layers.filter((l) => l.category !== 'constant').map((l) => `${l.name}:${l.op}`);
  expect(ops(exported)).toEqual(expect.arrayContaining(['sub:add', 'div:mul', 'conv:conv2d', 'act:hardswish', 'pool:avg_pool2d', 'token:linear', 'fc:linear']));
  expect(exported.layers.find((l) => l.name === 'pool')!.attrs).toEqual(traced.layers.find((l) => l.name === 'pool')!.attrs);
  for (const { config, distance, roundOff: r } of await relevanceDistances(traced, exported, tracedPath, [x], [1, 3])) {
    expect({ config, distance }).toEqual({ config, distance: expect.any(Number) });
    expect(distance).toBeLessThanOrEqual(5 * r + 1e-6);
  }
});

test.each(OPSETS)('ShuffleNetV2 at opset %d: the channel split (Slices with ends computed from the shape) folds; exported at batch 1, it gives the trace\'s results at batches 2 and 3', async (opset) => {
  const tracedPath = path.join(MODELS, 'onnx_shufflenet.pt');
  const traced = await loadModel(tracedPath);
  const exported = await loadModel(path.join(MODELS, `onnx_shufflenet.opset${opset}.onnx`));
  const x = await readNpy(path.join(MODELS, 'onnx_shufflenet.input0.npy'));
  const expected = await readNpy(path.join(MODELS, 'onnx_shufflenet.output.npy'));
  expect(maxAbsDiff((await exported.forward(x)).data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
  const three = new Tensor(Float32Array.from([...x.data, ...x.data.subarray(0, x.data.length / 2)]), [3, ...x.shape.slice(1)]);
  const [y3, t3] = [await exported.forward(three), await traced.forward(three)];
  expect(maxAbsDiff(y3.data, t3.data)).toBeLessThanOrEqual(roundOff(t3.data));
  // The trace's two chunks (8 channels in two, twice: the second after a channel shuffle, whose
  // Reshape to computed sizes hides the channel count from the model's types) are the export's
  // four slices, with the chunks' bounds.
  const slices = exported.layers.filter((l) => l.op === 'slice');
  expect(slices.map((l) => [l.attrs.start, l.attrs.end])).toEqual([[0, 4], [4, 8], [0, 4], [4, 8]]);
  for (const order of ['left-first', 'relu-first'] as const) {
    expect(foldSummary(await exported.canonize({ order }))).toEqual(foldSummary(await traced.canonize({ order })));
  }
  for (const { config, distance, roundOff: r } of await relevanceDistances(traced, exported, tracedPath, [x], [1, 3])) {
    expect({ config, distance }).toEqual({ config, distance: expect.any(Number) });
    expect(distance).toBeLessThanOrEqual(5 * r + 1e-6);
  }
  for (const m of [traced, exported]) m.dispose();
});

// The small ViT and ConvNeXt of test/attention.test.ts, exported at batch 1: LayerNormalization
// (opset 17) and the ReduceMean/Sub/Pow/Sqrt/Div pattern (opset 13), Softmax, GELU's Erf form and
// MatMul of two computed tensors import as the trace's layer_norm, softmax, gelu and matmul. The
// tolerance is the attention references' own float32 round-off (manifest.json), as there.
const ATTENTION = path.join(__dirname, '..', 'fixtures', 'attention');
const attentionManifest = JSON.parse(fs.readFileSync(path.join(ATTENTION, 'manifest.json'), 'utf8')) as {
  target: number[]; models: Record<string, Record<string, { float32VsFloat64: number }>>;
};
const TRANSFORMER_CASES = ['vit', 'convnext'].flatMap((name) => OPSETS.map((opset) => [name, opset] as [string, number]));
test.each(TRANSFORMER_CASES)('%s at opset %d: the same layers, forward at batches 2 and 3, and attn-lrp, attn-lrp-gamma, cp-lrp and gradient as the trace', async (name, opset) => {
  const traced = await loadModel(path.join(ATTENTION, `${name}.pt`));
  const exported = await loadModel(path.join(ATTENTION, `${name}.opset${opset}.onnx`));
  // Every layer that computes, under the trace's name and op (the export writes the moves of
  // elements differently: permute for transpose, slices for chunk).
  const computing = (m: Model) => m.layers.filter((l) => !['reshape', 'constant', 'broadcast', 'concat'].includes(l.category)).map((l) => `${l.name}:${l.op}`);
  expect(computing(exported)).toEqual(computing(traced));
  for (const op of ['layer_norm', 'softmax', 'gelu', 'matmul']) expect([op, exported.counts[op] ?? 0]).toEqual([op, traced.counts[op] ?? 0]);
  expect((exported.counts.layer_norm ?? 0) + (exported.counts.gelu ?? 0)).toBeGreaterThan(0);

  const x = await readNpy(path.join(ATTENTION, `${name}.input.npy`));
  const expected = await readNpy(path.join(ATTENTION, `${name}.output.npy`));
  expect(maxAbsDiff((await exported.forward(x)).data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
  const three = new Tensor(Float32Array.from([...x.data, ...x.data.subarray(0, x.data.length / 2)]), [3, ...x.shape.slice(1)]);
  const [y3, t3] = [await exported.forward(three), await traced.forward(three)];
  expect(maxAbsDiff(y3.data, t3.data)).toBeLessThanOrEqual(roundOff(t3.data));

  const { target } = attentionManifest;
  for (const method of ['attn-lrp', 'attn-lrp-gamma', 'cp-lrp', 'gradient']) {
    const options = method === 'gradient' ? { target, method: 'gradient' as const } : { target, composite: method as 'attn-lrp' };
    const [a, b] = [await exported.explain(x, options), await traced.explain(x, options)];
    const distance = relativeL2(a.relevance.data, b.relevance.data);
    expect({ method, distance }).toEqual({ method, distance: expect.any(Number) });
    expect(distance).toBeLessThanOrEqual(5 * attentionManifest.models[name][method].float32VsFloat64 + 1e-6);
  }
  for (const m of [traced, exported]) m.dispose();
});

test('transformer ops the ViT and ConvNeXt do not export (opset 13): a layer norm without weight and one over two axes, a 4-d matmul, softmax, GELU give the trace\'s layers and results', async () => {
  const tracedPath = path.join(MODELS, 'onnx_transformer_ops.pt');
  const traced = await loadModel(tracedPath);
  const exported = await loadModel(path.join(MODELS, 'onnx_transformer_ops.opset13.onnx'));
  const computing = (m: Model) => m.layers.filter((l) => !['reshape', 'constant'].includes(l.category)).map((l) => ({ name: l.name, op: l.op, attrs: l.attrs }));
  expect(computing(exported)).toEqual(computing(traced));
  expect(exported.layers.filter((l) => l.op === 'layer_norm').map((l) => l.attrs.shape)).toEqual([[8], [3, 8]]);
  const x = await readNpy(path.join(MODELS, 'onnx_transformer_ops.input0.npy'));
  const expected = await readNpy(path.join(MODELS, 'onnx_transformer_ops.output.npy'));
  expect(maxAbsDiff((await exported.forward(x)).data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
  // Plain only: no batch norm to fold, and canonizing the trace assumes its input, read by a linear
  // layer, is (N, features) (shape_inference.h), which this 3-d input is not.
  const plain = configs().filter((c) => c.canonize === false);
  for (const { config, distance, roundOff: r } of await relevanceDistances(traced, exported, tracedPath, [x], [1, 2], plain)) {
    expect({ config, distance }).toEqual({ config, distance: expect.any(Number) });
    expect(distance).toBeLessThanOrEqual(5 * r + 1e-6);
  }
  for (const m of [traced, exported]) m.dispose();
});

test.each(OPSETS)('picking ops (issue 24\'s operators) at opset %d: torch.chunk\'s Slices with size-computed bounds, Slice, Clip as clamp and hardtanh, HardSigmoid, Gather as select give the trace\'s results', async (opset) => {
  const OPS = path.join(__dirname, '..', 'fixtures', 'ops');
  const tracedPath = path.join(OPS, 'picking_ops.pt');
  const traced = await loadModel(tracedPath);
  const exported = await loadModel(path.join(OPS, `picking_ops.opset${opset}.onnx`));
  const x = await readNpy(path.join(OPS, 'picking_ops.input0.npy'));
  const y = await exported.forward(x);
  const t = await traced.forward(x);
  expect(maxAbsDiff(y.data, t.data)).toBeLessThanOrEqual(roundOff(t.data));
  const count = (m: Model, op: string) => m.layers.filter((l) => l.op === op).length;
  // torch.chunk exports as Slices whose bounds are computed from the input's size, and the export
  // drops the full-range slices a trace records (x[:, 1:6:2] is one Slice, two aten::slice): the
  // counts of slices differ, the forward and relevance below do not.
  expect(count(exported, 'slice')).toBeGreaterThan(0);
  for (const op of ['select', 'hardsigmoid']) expect([op, count(exported, op)]).toEqual([op, count(traced, op)]);
  expect(count(exported, 'hardtanh') + count(exported, 'clamp')).toBe(count(traced, 'hardtanh') + count(traced, 'clamp'));
  for (const { config, distance, roundOff: r } of await relevanceDistances(traced, exported, tracedPath, [x], [1, 2, 3])) {
    expect({ config, distance }).toEqual({ config, distance: expect.any(Number) });
    expect(distance).toBeLessThanOrEqual(5 * r + 1e-6);
  }
});

test('Split: equal parts import as chunk, unequal ones as slices (torch.split; no trace to compare, torch\'s output)', async () => {
  const model = await loadModel(path.join(MODELS, 'onnx_split_net.onnx'));
  const expected = await readNpy(path.join(MODELS, 'onnx_split_net.output.npy'));
  const y = await model.forward(await readNpy(path.join(MODELS, 'onnx_split_net.input0.npy')));
  expect(maxAbsDiff(y.data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
  const ops = model.layers.map((l) => l.op);
  expect(ops.filter((op) => op === 'chunk')).toHaveLength(3);
  expect(ops.filter((op) => op === 'slice')).toHaveLength(3);
});

describe('ONNX loading', () => {
  test('another producer\'s node names are kept; a node without a name gets its op\'s', async () => {
    const model = await loadModel(path.join(MODELS, 'onnx_other_names.onnx'));
    expect(model.layers.map((l) => l.name)).toEqual(['node0', 'relu', 'node2', 'node3']);
  });

  test('chosen by content, not by name: an ONNX file named .pt loads; the CLI reads .onnx', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-onnx-'));
    const renamed = path.join(dir, 'model.pt');
    fs.copyFileSync(onnxPath('vgg', 17), renamed);
    const model = await loadModel(renamed);
    const expected = await fixtureOutput('vgg');
    expect(maxAbsDiff((await model.forward(await fixtureInputs('vgg'))).data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));

    const out = path.join(dir, 'logits.npy');
    const cli = spawnSync(process.execPath, [CLI, 'forward', '--model', onnxPath('relation_net', 13),
      '--input', path.join(MODELS, 'relation_net.input0.npy'), '--input', path.join(MODELS, 'relation_net.input1.npy'), '--out', out], { encoding: 'utf8' });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const relation = await fixtureOutput('relation_net');
    expect(maxAbsDiff((await readNpy(out)).data, relation.data)).toBeLessThanOrEqual(roundOff(relation.data));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('layers are named by module path, inputs by the exported names', async () => {
    const model = await loadModel(onnxPath('resnet_basic', 17));
    const names = model.layers.map((l) => l.name);
    expect(names).toEqual(expect.arrayContaining(['conv1', 'layer1.0.conv1', 'layer1.0.add', 'layer1.0.relu', 'layer1.0.relu_1', 'layer2.0.downsample.0', 'flatten', 'fc']));
    const relu = model.layers.find((l) => l.name === 'layer1.0.relu_1')!;
    expect(relu.module).toBe('layer1.0.relu');
    const relation = await loadModel(onnxPath('relation_net', 17));
    expect(relation.inputNames).toEqual(['image', 'question']);
  });

  test('an export without constant folding (MatMul by Transpose(W), then Add of the bias) gives the same dense layers and relevance', async () => {
    // Before, the bias stayed a separate add after a bias-free linear, so the layer rules' z left it
    // out: the relevance was 80× off on the shipped relation network while the forward agreed.
    const folded = await loadModel(onnxPath('relation_net', 17));
    const unfolded = await loadModel(path.join(MODELS, 'relation_net.opset17.unfolded.onnx'));
    expect(unfolded.counts).toEqual(folded.counts);
    const inputs = await fixtureInputs('relation_net');
    for (const composite of ['epsilon-plus-flat', 'epsilon-gamma-box'] as const) {
      const options = { composite, low: -3, high: 3, target: 'argmax' as const };
      const [a, b] = [await folded.explain(inputs, options), await unfolded.explain(inputs, options)];
      expect(relativeL2(b.relevance.data, a.relevance.data)).toBeLessThan(1e-6);
    }
  });

  test('external data is read from the model\'s folder; a missing data file is one line', async () => {
    const folder = path.join(MODELS, 'onnx_external');
    const model = await loadModel(path.join(folder, 'small.onnx'));
    const expected = await readNpy(path.join(folder, 'small.output.npy'));
    const y = await model.forward(await readNpy(path.join(folder, 'small.input0.npy')));
    expect(maxAbsDiff(y.data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
    const error = await rejection(loadModel(path.join(folder, 'missing_data.onnx')));
    expect(error.code).toBe('LRP_FILE_NOT_FOUND');
    expect(error.message).toMatch(/external data file 'missing\.onnx\.data' of tensor '.+' not found in the model's folder .*onnx_external/);
  });

  test('an unsupported op names the op, its node and the opset; an unsupported opset is named', async () => {
    const error = await rejection(loadModel(path.join(MODELS, 'onnx_unknown_op.onnx')));
    expect(error.code).toBe('LRP_UNSUPPORTED_OP');
    expect(error.message).toBe("unsupported ONNX operator Tanh in node '/act/Tanh' (opset 17)");
    const opset = await rejection(loadModel(path.join(MODELS, 'onnx_opset11.onnx')));
    expect(opset.code).toBe('LRP_UNSUPPORTED_OP');
    expect(opset.message).toMatch(/^ONNX opset 11 is not supported \(supported: 13–17;/);
  });

  test('unsupportedOperators and inspect list every unsupported op with its node and the opset; the load names the first', async () => {
    const model = path.join(MODELS, 'onnx_unsupported_ops.onnx');
    const all = [
      { operator: 'Tanh', module: 'stem.1', node: '/stem/stem.1/Tanh', opset: 17 },
      { operator: 'Erf', module: 'block', node: '/block/Erf', opset: 17 },
      { operator: 'CumSum', module: '', node: '/CumSum', opset: 17 },
    ];
    expect(await unsupportedOperators(model)).toEqual(all);
    // GELU's Erf, the layer norm's Pow and Sqrt are taken in by their patterns.
    for (const known of [onnxPath('vgg', 17), path.join(ATTENTION, 'vit.opset13.onnx')]) {
      expect(await unsupportedOperators(known)).toEqual([]);
    }
    expect((await rejection(loadModel(model))).message).toBe("unsupported ONNX operator Tanh in node '/stem/stem.1/Tanh' (opset 17)");
    const opset = await rejection(unsupportedOperators(path.join(MODELS, 'onnx_opset11.onnx')));
    expect([opset.code, opset.message]).toEqual(['LRP_UNSUPPORTED_OP', expect.stringMatching(/^ONNX opset 11 is not supported/)]);

    const inspect = spawnSync(process.execPath, [CLI, 'inspect', '--model', model], { encoding: 'utf8' });
    expect(inspect.status).toBe(1);
    expect(inspect.stdout.trim().split('\n')).toEqual([
      'unsupported operators (3):',
      "  Tanh in node '/stem/stem.1/Tanh' (opset 17)",
      "  Erf in node '/block/Erf' (opset 17)",
      "  CumSum in node '/CumSum' (opset 17)",
    ]);
    expect(inspect.stderr.trim().split('\n')).toEqual(["lrp-node inspect: unsupported ONNX operator Tanh in node '/stem/stem.1/Tanh' (opset 17)"]);
    const json = spawnSync(process.execPath, [CLI, 'inspect', '--model', model, '--json'], { encoding: 'utf8' });
    expect(JSON.parse(json.stdout)).toEqual({ unsupported: all });
  });

  test('a model exported without a dynamic batch axis runs at its batch; at another, one line names the input and both shapes', async () => {
    const model = await loadModel(path.join(MODELS, 'onnx_static_batch.onnx'));
    const one = new Tensor(Float32Array.from({ length: 3 * 64 }, (_, i) => Math.sin(i)), [1, 3, 8, 8]);
    expect((await model.forward(one)).shape).toEqual([1, 2]);
    const two = new Tensor(new Float32Array(2 * 3 * 64), [2, 3, 8, 8]);
    const error = await rejection(model.forward(two));
    expect(error.code).toBe('LRP_BAD_SHAPE');
    expect(error.message).toBe("input 0 ('x') has shape [2,3,8,8], but the ONNX model was exported for [1,3,8,8] only (N: a dynamic axis); " +
      "to run it at other sizes, export it with dynamic_axes={'x': {0: 'batch'}} (and any other axis that varies)");
    // With a dynamic batch axis, only the other sizes are fixed.
    const vgg = await loadModel(onnxPath('vgg', 17));
    const wrongSize = await rejection(vgg.forward(new Tensor(new Float32Array(2 * 3 * 100), [2, 3, 10, 10])));
    expect(wrongSize.message).toMatch(/^input 0 \('x'\) has shape \[2,3,10,10\], but the ONNX model was exported for \[N,3,\d+,\d+\] only/);
    for (const m of [model, vgg]) m.dispose();
  });

  test('a file that is neither format is one line naming both', async () => {
    const error = await rejection(loadModel(path.join(MODELS, 'not_torchscript.pt')));
    expect(error.code).toBe('LRP_LOAD_FAILED');
    expect(error.message).toMatch(/not a TorchScript file .* nor an ONNX model/);
  });
});
