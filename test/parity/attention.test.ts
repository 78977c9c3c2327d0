// Attention and LayerNorm models (docs/explain.md, "Transformers"): a small torchvision
// VisionTransformer and a small ConvNeXt traced with gradients enabled
// (test/fixture_makers/make_attention_references.py). Their forward equals TorchScript's, the
// gradient equals torch autograd's, and attn-lrp, attn-lrp-gamma and cp-lrp equal the reference
// written from AttnLRP's propositions as input × modified gradient (cross-checked there against
// LXT). Tolerance as in the zennit parity tests: 5× the reference's own float32-vs-float64
// relative L2 distance, + 1e-6.
import * as fs from 'fs';
import * as path from 'path';

import { LrpError, loadModel, Model, readNpy, Tensor } from '../../lib';
import { maxAbsDiff, relativeL2, roundOff } from '../helpers';

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
  expect(MODELS.sort()).toEqual(['convnext', 'tiny_ops', 'vit']);
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

test('a ViT traced under torch.no_grad() is refused with the module and the remedy', async () => {
  const error = await loadModel(path.join(DIR, 'vit_no_grad.pt')).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LrpError);
  expect((error as LrpError).message).toBe(
    "unsupported operator aten::_native_multi_head_attention (a MultiheadAttention traced under torch.no_grad(); " +
    "trace with gradients enabled) in 'encoder.layers.encoder_layer_0.self_attention'",
  );
});
