// explainMany takes explain's options object, with `configs` in place of one configuration
// (docs/explain.md, "explainMany"); the positional form (target, configs, onWarning) gives the same.
import { ExplainConfig, loadModel } from '../../lib';
import { fixtureInputs, modelPath, rejection } from '../helpers';

describe('explainMany options', () => {
  const vgg = loadModel(modelPath('vgg'));

  test('the options form equals the positional form and explain, per method', async () => {
    const m = await vgg;
    const [x] = await fixtureInputs('vgg');
    const configs: ExplainConfig[] = [
      { composite: 'epsilon-plus-flat' },
      { composite: { layerMap: { convolution: { rule: 'gamma', gamma: 0.1 }, dense: { rule: 'epsilon' } } } },
      { method: 'occlusion', window: 4, stride: 4 },
      { method: 'integrated-gradients', samples: 3 },
    ];
    const warnings: string[] = [];
    const byOptions = await m.explainMany(x, { target: [3, 4], configs, onWarning: (w) => warnings.push(w) });
    const byArguments = await m.explainMany(x, [3, 4], configs);
    expect(byOptions).toHaveLength(configs.length);
    for (let k = 0; k < configs.length; k++) {
      expect(Array.from(byOptions[k].relevance.data)).toEqual(Array.from(byArguments[k].relevance.data));
      const one = await m.explain(x, { ...configs[k], target: [3, 4] });
      expect(Array.from(byOptions[k].relevance.data)).toEqual(Array.from(one.relevance.data));
    }
    expect(byOptions[0].relevance.data).not.toEqual(byOptions[1].relevance.data);
    expect(warnings).toEqual([]);
  });

  test('bad options are one clear error', async () => {
    const m = await vgg;
    const [x] = await fixtureInputs('vgg');
    expect((await rejection(m.explainMany(x, { target: 1 } as never))).message).toMatch(/^explainMany options: configs is required/);
    expect((await rejection(m.explainMany(x, { target: 1, configs: [], rules: [] } as never))).message)
      .toMatch(/^explainMany options: unknown key 'rules' \(known: target, configs, onWarning\)/);
    expect((await rejection(m.explainMany(x, { target: 1, configs: [{ composite: 'epsilon-plus' }, { method: 'lrp', window: 3 }] } as never))).message)
      .toMatch(/^explain configs\[1\]: unknown key 'window' \('window' does not apply to method lrp\)/);
  });
});
