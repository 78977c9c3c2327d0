// LRP on torchvision's own modules against zennit 0.5.1 (test/fixtures/torchvision/, made by
// test/fixture_makers/make_torchvision_references.py): the nine composites, plain and canonized,
// on one small model per pattern that torchvision brings — MobileNetV2 (ReLU6 as an activation,
// inverted residual sums), MobileNetV3-small (hardswish, the hardsigmoid squeeze-excitation gate),
// ShuffleNetV2 (chunk, channel shuffle), GoogLeNet (transform_input: select, slice, scalar
// arithmetic). Tolerance as the other parity tests: 5× zennit's float32-vs-float64 distance + 1e-6.
import * as fs from 'fs';
import * as path from 'path';

import { loadModel, Model, readNpy } from '../../lib';
import { expectCompositeParity } from '../helpers';

const DIR = path.join(__dirname, '..', 'fixtures', 'torchvision');
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as {
  low: number;
  high: number;
  cases: Record<string, { model: string; composite: string; canonize: boolean; target: number[]; float32VsFloat64: number }>;
};

const models = new Map<string, Promise<Model>>();
function model(name: string): Promise<Model> {
  if (!models.has(name)) models.set(name, loadModel(path.join(DIR, `${name}.pt`)));
  return models.get(name)!;
}

afterAll(async () => {
  for (const m of models.values()) (await m).dispose();
});

describe('torchvision modules: LRP parity with zennit 0.5.1', () => {
  test('four models × nine composites × plain/canonized', () => {
    expect(Object.keys(manifest.cases)).toHaveLength(4 * 9 * 2);
  });

  test('MobileNetV3: the hardsigmoid-gated products are gates, ReLU6/hardswish modules activations', async () => {
    const v3 = await model('mobilenet_v3_small');
    const gates = v3.layers.filter((l) => l.attrs.gate !== undefined);
    expect(gates.length).toBe(v3.layers.filter((l) => l.op === 'hardsigmoid').length);
    expect(gates.every((l) => l.op === 'mul' && l.category === 'product')).toBe(true);
    for (const [m, op] of [['mobilenet_v3_small', 'hardswish'], ['mobilenet_v2', 'hardtanh']]) {
      const acts = (await model(m)).layers.filter((l) => l.op === op);
      expect(acts.length).toBeGreaterThan(0);
      expect(acts.every((l) => l.category === 'activation' && !l.functional)).toBe(true);
    }
  });

  test.each(Object.keys(manifest.cases))('%s', async (name) => {
    const spec = manifest.cases[name];
    const x = await readNpy(path.join(DIR, `${spec.model}.input0.npy`));
    await expectCompositeParity(await model(spec.model), x, spec, manifest, path.join(DIR, `${name}.npy`));
  });
});
