// Explain options beyond the composite grid, against zennit 0.5.1 (test/fixtures/zennit/extra/,
// `make_zennit_references.py extra`): the wsquare rule, per-channel zbox bounds, rule and composite
// parameters other than zennit's defaults, a named composite with rules overriding it by name,
// `target: 'argmax'`, `init: 'logit'`, `zeroParams` with a rule's own stabilizer, and a float64
// explain. Tolerance as in explain.test.ts: 5× zennit's own float32-vs-float64 relative L2
// difference on the case, + 1e-6.
import * as fs from 'fs';
import * as path from 'path';

import { ExplainOptions, loadModel, readNpy } from '../../lib';
import { fixtureInputs, modelPath, relativeL2 } from '../helpers';

const ZENNIT = path.join(__dirname, '..', 'fixtures', 'zennit');
const extra = JSON.parse(fs.readFileSync(path.join(ZENNIT, 'extra', 'manifest.json'), 'utf8')) as {
  cases: Record<string, { family: string; config: Record<string, unknown>; target: number[] | 'argmax'; explained: number[]; float32VsFloat64: number }>;
};
const main = JSON.parse(fs.readFileSync(path.join(ZENNIT, 'manifest.json'), 'utf8')) as {
  cases: Record<string, { family: string; composite: string; target: number[]; float32VsFloat64: number }>;
};

describe('explain options equal zennit 0.5.1', () => {
  // What a wrong implementation would give, measured by explaining with the mutated config (relative
  // L2 error against the tolerance): wsquare as flat 0.81 (tolerance 6e-6), per-channel bounds as
  // their first value 0.09 (4e-5), the composite's gamma left at its default 0.54 and its epsilon
  // 0.064 (3.5e-6), the last override dropped 7.8 and the first 0.37 (2.4e-6), argmax as argmin 1.19,
  // init 'onehot' for 'logit' 11.7 (2.3e-6), the linear layers' zeroParams dropped 0.64 and their
  // stabilizer left at 1e-6 4.6 (4.5e-6; the convolutions' zeroParams change it by 6e-7 only).
  test('seven cases; argmax explains other classes than the default targets', () => {
    expect(Object.keys(extra.cases)).toEqual([
      'vgg.name-map.wsquare', 'vgg.name-map.zbox-per-channel', 'vgg.epsilon-gamma-box.parameters',
      'vgg.epsilon-plus-flat.overrides', 'vgg.epsilon-plus.argmax', 'vgg.epsilon-plus.init-logit', 'vgg.name-map.zero-params',
    ]);
    expect(extra.cases['vgg.epsilon-plus.argmax'].explained).not.toEqual([1, 2]);
  });

  test.each(Object.keys(extra.cases))('%s', async (name) => {
    const spec = extra.cases[name];
    const model = await loadModel(modelPath(spec.family));
    const [x] = await fixtureInputs(spec.family);
    const expected = await readNpy(path.join(ZENNIT, 'extra', `${name}.npy`));
    const { relevance, output } = await model.explain(x, { target: spec.target, ...spec.config } as ExplainOptions);
    expect(relevance.shape).toEqual(expected.shape);
    expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(5 * spec.float32VsFloat64 + 1e-6);
    if (spec.target === 'argmax') {
      // the classes zennit's reference explained are the largest logits of lrp-node's own output
      const classes = output.shape[1];
      const picked = Array.from({ length: output.shape[0] }, (_, s) => {
        const row = Array.from(output.data.subarray(s * classes, (s + 1) * classes));
        return row.indexOf(Math.max(...row));
      });
      expect(picked).toEqual(spec.explained);
    }
  });
});

describe('a float64 model explains in float64', () => {
  // ResNet guided backprop is the grid's case with the largest float32-vs-float64 spread (1.2e-3):
  // the float32 model is allowed 5× that; the float64 model must equal zennit's float64 reference up
  // to the rounding of both to float32 (relative L2 ~1e-7). Mutant caught: computing a float64 model
  // in float32 (its error is the float32 spread, ~1e-3).
  test('resnet_basic.guided-backprop.plain to 1e-6', async () => {
    const name = 'resnet_basic.guided-backprop.plain';
    const spec = main.cases[name];
    expect(spec.float32VsFloat64).toBeGreaterThan(1e-4);
    const model = await loadModel(modelPath(spec.family), { dtype: 'float64' });
    expect(model.dtype).toBe('float64');
    const [x] = await fixtureInputs(spec.family);
    const expected = await readNpy(path.join(ZENNIT, `${name}.npy`));
    const { relevance } = await model.explain(x, { target: spec.target, composite: spec.composite as never });
    expect(relativeL2(relevance.data, expected.data)).toBeLessThanOrEqual(1e-6);
  });
});
