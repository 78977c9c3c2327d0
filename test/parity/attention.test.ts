// Attention and LayerNorm models (docs/explain.md, "Transformers"): a small torchvision
// VisionTransformer, a small ConvNeXt and a small Swin (shifted windows, padding) traced with
// gradients enabled
// (test/fixture_makers/make_attention_references.py). Their forward equals TorchScript's, the
// gradient equals torch autograd's, and attn-lrp, attn-lrp-gamma and cp-lrp equal the reference
// written from AttnLRP's propositions as input × modified gradient (cross-checked there against
// LXT). Tolerance as in the zennit parity tests: 5× the reference's own float32-vs-float64
// relative L2 distance, + 1e-6.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { LrpError, loadModel, Model, readNpy, Tensor } from '../../lib';
import { CLI, maxAbsDiff, relativeL2, roundOff } from '../helpers';

const DIR = path.join(__dirname, '..', 'fixtures', 'attention');
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as {
  target: number[];
  models: Record<string, Record<string, { float32VsFloat64: number }>>;
  lxt?: Record<string, number>;
};
const MODELS = Object.keys(manifest.models);

const loaded = new Map<string, Promise<Model>>();
function model(name: string): Promise<Model> {
  if (!loaded.has(name)) loaded.set(name, loadModel(path.join(DIR, `${name}.pt`)));
  return loaded.get(name)!;
}
const npy = (name: string): Promise<Tensor> => readNpy(path.join(DIR, `${name}.npy`));

afterAll(async () => {
  for (const m of loaded.values()) (await m).dispose();
});

test('the reference set is complete and was cross-checked against LXT', () => {
  expect(MODELS.sort()).toEqual(['convnext', 'swin', 'tiny_ops', 'vit']);
  for (const name of MODELS) expect(Object.keys(manifest.models[name]).sort()).toEqual(['attn-lrp', 'attn-lrp-gamma', 'cp-lrp', 'gradient']);
  expect(Object.keys(manifest.lxt ?? {}).sort()).toEqual(['matmul_uniform', 'softmax_taylor', 'vit_cp_lrp']);
  for (const distance of Object.values(manifest.lxt!)) expect(distance).toBeLessThan(1e-6);
});

describe.each(MODELS)('%s', (name) => {
  test('forward equals TorchScript', async () => {
    const expected = await npy(`${name}.output`);
    const out = await (await model(name)).forward([await npy(`${name}.input`)]);
    expect(out.shape).toEqual(expected.shape);
    expect(maxAbsDiff(out.data, expected.data)).toBeLessThanOrEqual(roundOff(expected.data));
  });

  test('method gradient equals torch autograd', async () => {
    const expected = await npy(`${name}.gradient`);
    const { relevance } = await (await model(name)).explain([await npy(`${name}.input`)], { target: manifest.target, method: 'gradient' });
    expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(5 * manifest.models[name].gradient.float32VsFloat64 + 1e-6);
  });

  test.each(['attn-lrp', 'attn-lrp-gamma', 'cp-lrp'])('%s equals the reference', async (composite) => {
    const expected = await npy(`${name}.${composite}`);
    const { relevance } = await (await model(name)).explain([await npy(`${name}.input`)], {
      target: manifest.target, composite: composite as 'attn-lrp',
    });
    expect(relevance.shape).toEqual(expected.shape);
    expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(5 * manifest.models[name][composite].float32VsFloat64 + 1e-6);
  });
});

describe('the ViT graph', () => {
  test('layer norms, softmaxes and attention products are layers of their own categories', async () => {
    const layers = (await model('vit')).layers;
    const count = (category: string): number => layers.filter((l) => l.category === category).length;
    // two blocks: ln_1, ln_2 each, and the encoder's final norm; per block one softmax, QKᵀ and attention·V
    expect([count('layer-norm'), count('softmax'), count('attention-product')]).toEqual([5, 2, 4]);
    expect(layers.filter((l) => l.op === 'gelu').map((l) => l.name)).toEqual(['encoder.layers.encoder_layer_0.mlp.1', 'encoder.layers.encoder_layer_1.mlp.1']);
  });

  test('rules name attention layers by name: constant-attention on the last block\'s attention·V changes the relevance', async () => {
    const m = await model('vit');
    const x = [await npy('vit.input')];
    const products = m.layers.filter((l) => l.category === 'attention-product' && l.name.startsWith('encoder.layers.encoder_layer_1.'));
    expect(products).toHaveLength(2);
    const base = await m.explain(x, { target: manifest.target, composite: 'attn-lrp' });
    // cp-lrp inside the last block only: its attention·V sends all relevance to V, none to the softmax
    const mixed = await m.explain(x, {
      target: manifest.target, composite: 'attn-lrp',
      rules: [{ layers: [products[1].name], rule: 'constant-attention' }],
    });
    expect(relativeL2(mixed.relevance.data, base.relevance.data)).toBeGreaterThan(1e-3);
  });

  test('explainMany over a γ grid and the three composites equals one explain per configuration', async () => {
    const m = await model('vit');
    const x = [await npy('vit.input')];
    const configs = [
      ...[0, 0.1, 1].map((gamma) => ({ composite: 'attn-lrp-gamma' as const, gamma })),
      { composite: 'attn-lrp' as const }, { composite: 'cp-lrp' as const }, { composite: 'attn-lrp' as const, epsilon: 1e-2 },
    ];
    const many = await m.explainMany(x, { target: manifest.target, configs });
    for (const [k, config] of configs.entries()) {
      const one = await m.explain(x, { target: manifest.target, ...config });
      expect([k, maxAbsDiff(many[k].relevance.data, one.relevance.data)]).toEqual([k, 0]);
    }
    // the configurations differ where their rules do
    expect(relativeL2(many[0].relevance.data, many[2].relevance.data)).toBeGreaterThan(1e-2);
    expect(relativeL2(many[3].relevance.data, many[5].relevance.data)).toBeGreaterThan(1e-4);
  });

  test('a rule on a layer it does not fit is one error naming both', async () => {
    const m = await model('vit');
    const norm = m.layers.find((l) => l.category === 'layer-norm')!;
    await expect(m.explain([await npy('vit.input')], {
      target: manifest.target, composite: 'attn-lrp', rules: [{ layers: [norm.name], rule: 'softmax-taylor' }],
    })).rejects.toThrow(`rule 'softmax-taylor' needs a softmax, not layer_norm '${norm.name}'`);
    await expect(m.explain([await npy('vit.input')], {
      target: manifest.target, composite: 'attn-lrp', rules: [{ layers: [norm.name], rule: 'relu-deconvnet' }],
    })).rejects.toThrow(`rule 'relu-deconvnet' needs a relu or thresh_relu, not layer_norm '${norm.name}'`);
    // A mul by a number is elementwise, not a product of two computed tensors.
    const scale = m.layers.find((l) => l.op === 'mul' && l.category === 'elementwise')!;
    await expect(m.explain([await npy('vit.input')], {
      target: manifest.target, composite: 'attn-lrp', rules: [{ layers: [scale.name], rule: 'uniform' }],
    })).rejects.toThrow(`rule 'uniform' needs a mul (product) or matmul, not mul '${scale.name}' (elementwise)`);
  });
});

describe('ConvNeXt canonized', () => {
  test('the report names every layer norm as not folded and why; a block\'s depthwise convolution stays', async () => {
    const m = await loadModel(path.join(DIR, 'convnext.pt'), { canonize: true });
    try {
      const report = m.canonization!;
      expect(report.folds).toEqual([]);  // no batch norm
      const norms = m.layers.filter((l) => l.category === 'layer-norm').map((l) => l.name);
      expect(norms.length).toBeGreaterThan(2);
      expect(report.notFolded.map((n) => n.layer)).toEqual(norms);
      for (const n of report.notFolded) expect([n.op, n.reason]).toEqual(['layer_norm', expect.stringContaining('no affine map')]);
      const blockNorm = report.notFolded.find((n) => n.layer.startsWith('features.1.0.block.2'))!;
      expect(blockNorm.reason).toContain("the depthwise convolution 'features.1.0.block.0' before it stays as it is");
      const x = [await npy('convnext.input')];
      expect(maxAbsDiff((await m.forward(x)).data, (await (await model('convnext')).forward(x)).data)).toBe(0);
    } finally {
      m.dispose();
    }
  });

  test('inspect --canonize prints it', () => {
    const result = spawnSync(process.execPath, [CLI, 'inspect', '--model', path.join(DIR, 'convnext.pt'), '--canonize'], { encoding: 'utf8', timeout: 60000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/features\.1\.0\.block\.2\S*: layer_norm, not folded \(it divides by its input's own standard deviation.*the depthwise convolution 'features\.1\.0\.block\.0' before it stays as it is\)/);
    expect(result.stdout).toMatch(/0 of 0 batch norms folded; \d+ layer norms left as they are/);
  });
});

describe('the Swin graph', () => {
  test('the shifted-window mask is computed from sizes, the position bias is stored data, roll and pad are layers', async () => {
    const layers = (await model('swin')).layers;
    const ops = (op: string): string[] => layers.filter((l) => l.op === op).map((l) => l.name);
    // stage 1's second block shifts (9×9 tokens padded to 12×12, window 4) and so does stage 2's (5×5 padded to 8×8)
    // the masks of the two shifted blocks (read after their last unsqueeze) and each block's scale (C // heads) ** -0.5
    expect(ops('from_sizes').sort()).toEqual(['features.1.0.attn.pow', 'features.1.1.attn.pow', 'features.1.1.attn.unsqueeze',
      'features.3.0.attn.pow', 'features.3.1.attn.pow', 'features.3.1.attn.unsqueeze']);
    expect(layers.filter((l) => l.op === 'from_sizes').every((l) => l.category === 'constant')).toBe(true);
    expect(ops('roll')).toHaveLength(4);
    expect(ops('pad').length).toBeGreaterThanOrEqual(5);  // each block's window padding and the patch merging's
    // the relative-position bias (an index of a stored table) is added as stored data, not a computed tensor
    expect(layers.filter((l) => l.op === 'add' && l.category === 'sum').map((l) => l.name).every((n) => !n.includes('.attn.'))).toBe(true);
    expect([layers.filter((l) => l.category === 'softmax').length, layers.filter((l) => l.category === 'attention-product').length]).toEqual([4, 8]);
  });

  test('traced under torch.no_grad() it loads and gives the same forward', async () => {
    const noGrad = await loadModel(path.join(DIR, 'swin_no_grad.pt'));
    try {
      const x = [await npy('swin.input')];
      const [a, b] = [await noGrad.forward(x), await (await model('swin')).forward(x)];
      expect(maxAbsDiff(a.data, b.data)).toBe(0);
    } finally {
      noGrad.dispose();
    }
  });
});

test('a ViT traced under torch.no_grad() is refused with the module and the remedy', async () => {
  const error = await loadModel(path.join(DIR, 'vit_no_grad.pt')).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LrpError);
  expect((error as LrpError).message).toBe(
    "unsupported operator aten::_native_multi_head_attention (a MultiheadAttention traced under torch.no_grad(); " +
    "trace with gradients enabled) in 'encoder.layers.encoder_layer_0.self_attention'",
  );
});
