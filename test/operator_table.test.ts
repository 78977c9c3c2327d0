// The native operator table gives every layer a category (native/core/ops/op_table.h), which
// composites match layers by. Checked on every fixture family and a canonized graph: each category
// agrees with what the layer's operator and inputs say it is, and with the name-based predicates
// lib/composites.ts used before the category existed (so matching by category keeps every
// composite's rule placement).
import path from 'path';
import { loadModel } from '../lib';
import type { Layer } from '../lib/model';
import { FAMILIES, MODELS, modelPath } from './helpers';

const CASES = path.join(MODELS, '..', 'canonize');

// The category of each operator, written out independently of the native table.
function expectedCategory(layer: Layer): string {
  const byOp: Record<string, string> = {
    constant: 'constant', conv2d: 'convolution', linear: 'dense', batch_norm: 'batch-norm',
    relu: 'activation', silu: 'activation', sigmoid: 'activation', thresh_relu: 'thresh-relu',
    max_pool2d: 'max-pooling', avg_pool2d: 'average-pooling', adaptive_avg_pool2d: 'average-pooling', mean: 'average-pooling',
    sum: 'sum', cat: 'concat', flatten: 'reshape', reshape: 'reshape', unsqueeze: 'reshape', permute: 'reshape',
    transpose: 'reshape', expand: 'broadcast', repeat: 'broadcast',
  };
  if (layer.op === 'add') return layer.inputs.length === 2 ? 'sum' : 'elementwise';
  if (layer.op === 'mul') return layer.inputs.length === 2 ? 'product' : 'elementwise';
  return byOp[layer.op] ?? `no category for ${layer.op}`;
}

// lib/composites.ts's name-based predicates before categories (activations, sums, average poolings).
const namePredicates = {
  activation: (l: Layer) => ['relu', 'silu', 'sigmoid'].includes(l.op),
  sum: (l: Layer) => (l.op === 'add' && l.inputs.length === 2) || l.op === 'sum',
  'average-pooling': (l: Layer) => ['avg_pool2d', 'adaptive_avg_pool2d', 'mean'].includes(l.op),
  convolution: (l: Layer) => l.op === 'conv2d',
  dense: (l: Layer) => l.op === 'linear',
  'batch-norm': (l: Layer) => l.op === 'batch_norm',
};

function checkLayers(layers: readonly Layer[]): void {
  for (const layer of layers) {
    expect([layer.name, layer.category]).toEqual([layer.name, expectedCategory(layer)]);
    for (const [category, matches] of Object.entries(namePredicates)) {
      expect([layer.name, category, layer.category === category]).toEqual([layer.name, category, matches(layer)]);
    }
  }
}

describe('operator table: layer categories', () => {
  test.each(FAMILIES)('%s: every layer has the category of its operator', async (name) => {
    const model = await loadModel(modelPath(name));
    checkLayers(model.layers);
    model.dispose();
  });

  test('a canonized graph: the ThreshReLU is a canonized activation, which no composite matches as an activation', async () => {
    const model = await loadModel(path.join(CASES, 'conv_bn_relu_conv_scales.pt'), { canonize: { order: 'relu-first' } });
    const thresh = model.layers.find((l) => l.op === 'thresh_relu');
    expect(thresh?.category).toBe('thresh-relu');
    checkLayers(model.layers);
    model.dispose();
  });

  test('a squeeze-excitation gate product is a product; a residual add is a sum', async () => {
    const model = await loadModel(modelPath('efficientnet'));
    const byName = new Map(model.layers.map((l) => [l.name, l]));
    expect(byName.get('features.1.0.block.1.mul')?.category).toBe('product');
    expect(byName.get('features.2.1.add')?.category).toBe('sum');
    expect(byName.get('features.1.0.block.1.scale_activation')?.category).toBe('activation');
    model.dispose();
  });
});
