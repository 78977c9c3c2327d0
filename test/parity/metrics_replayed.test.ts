// Deterministic Quantus v0.6.0 references for the randomised and the scale-sensitive metrics
// (test/fixtures/quantus/deterministic.json, `make_quantus_references.py deterministic`):
// faithfulness correlation on lrp-node's own random subsets replayed inside Quantus, pixel flipping
// where the "mean" baseline is far from 0, and random logit where the normalisation changes the score.
import * as fs from 'fs';
import * as path from 'path';

import { loadModel, metrics, Model, readNpy, Tensor } from '../../lib';
import { MODELS } from '../helpers';

const QUANTUS = path.join(__dirname, '..', 'fixtures', 'quantus');
const reference = JSON.parse(fs.readFileSync(path.join(QUANTUS, 'deterministic.json'), 'utf8')) as {
  targets: number[];
  faithfulnessCorrelation: Record<string, { options: Record<string, unknown> & { attributions: string }; scores: number[] }>;
  pixelFlipping: { input: string; attributions: string; cases: Record<string, { featuresInStep: number; perturbBaseline: number | 'mean'; curves: number[][] }> };
  randomLogit: { attributions: string; targets: number[]; numClasses: number; cases: Record<string, number[]> };
};

let vgg: Promise<[Model, Tensor]> | undefined;
const fixture = () => (vgg ??= Promise.all([loadModel(path.join(MODELS, 'vgg.pt')), readNpy(path.join(MODELS, 'vgg.input0.npy'))]));

describe('faithfulness correlation equals Quantus on the same subsets', () => {
  // Quantus draws its subsets with np.random.choice; the reference replaces that call by the subsets
  // lrp-node draws for the same seed (test/fixture_makers/faithfulness_subsets.js), so both compute the
  // same Pearson correlation. Quantus takes the logit drops in float32 (lrp-node in float64): the
  // scores agree to 1.1e-6 at worst; 1e-5 allows that 10×. Mutants caught (each applied and seen to
  // fail): the attribution sum read one element over (`a[(pick[i] + 1) % size]`), half the
  // correlation returned, the subset drawn with one element fewer.
  test('there are two cases and one is far from zero', () => {
    expect(Object.keys(reference.faithfulnessCorrelation)).toEqual(['epsilon-plus-flat-sum', 'gradient-x-input']);
    // gradient × input is a first-order model of the logit drop: a correlation well above 0
    for (const score of reference.faithfulnessCorrelation['gradient-x-input'].scores) expect(score).toBeGreaterThan(0.6);
  });

  test.each(Object.keys(reference.faithfulnessCorrelation))('%s', async (name) => {
    const [model, inputs] = await fixture();
    const { attributions: file, ...options } = reference.faithfulnessCorrelation[name].options;
    const attributions = await readNpy(path.join(QUANTUS, file));
    const scores = await metrics.faithfulnessCorrelation({ model, inputs, targets: reference.targets, attributions, ...options });
    const expected = reference.faithfulnessCorrelation[name].scores;
    expect(scores).toHaveLength(expected.length);
    expected.forEach((q, i) => expect(Math.abs(scores[i] - q)).toBeLessThanOrEqual(1e-5));
  });
});

describe('pixel flipping with the mean baseline on an input whose mean is far from 0', () => {
  // The fixture input is shifted per channel by (+1.5, −0.5, +0.8): the mean baseline (§9: the mean
  // of the current sample, so it drifts) then differs from 0.0 by ~0.6, and the curves by up to
  // 1.4e-3, while each agrees with Quantus to 1.7e-8 (float32 logits; 1e-7 allows 6×). Mutants caught:
  // "mean" as 0, and the mean of the original sample instead of the current one.
  const cases = reference.pixelFlipping.cases;

  test('the two references are distinct by far more than the tolerance', () => {
    const [zero, mean] = [cases['0.0'].curves, cases.mean.curves];
    const gap = Math.max(...zero.flatMap((curve, s) => curve.map((p, t) => Math.abs(p - mean[s][t]))));
    expect(gap).toBeGreaterThan(1e3 * 1e-7);
  });

  test.each(Object.keys(cases))('baseline %s', async (key) => {
    const [model] = await fixture();
    const inputs = await readNpy(path.join(QUANTUS, reference.pixelFlipping.input));
    const attributions = await readNpy(path.join(QUANTUS, reference.pixelFlipping.attributions));
    const spec = cases[key];
    const result = await metrics.pixelFlipping({
      model, inputs, targets: reference.targets, attributions, pool: 'none', featuresInStep: spec.featuresInStep,
      perturbBaseline: spec.perturbBaseline, batchSize: 20,
    });
    expect(result.curves).toHaveLength(spec.curves.length);
    spec.curves.forEach((curve, s) => {
      expect(result.curves[s]).toHaveLength(curve.length);
      curve.forEach((p, t) => expect(Math.abs(result.curves[s][t] - p)).toBeLessThanOrEqual(1e-7));
    });
  });
});

describe('random logit where the normalisation changes the score', () => {
  // Two classes (targets 1, 0): the other class is fixed, so the score is deterministic. The given
  // attributions are EpsilonPlusFlat's scaled by 1000 (sample 0) and 0.001 (sample 1), the other
  // class's explanation is not, so SSIM₁ (not scale-invariant between its two arguments) sees the
  // normalisation: Quantus' scores differ between second-moment, max and none (by up to 0.24).
  // lrp-node agrees to 8e-8 (float32 explanations); 1e-6. Mutants caught: second-moment normalisation
  // dropped, max normalisation dropped, 'none' normalising anyway.
  const spec = reference.randomLogit;

  test('the three normalisations give different references', () => {
    const [second, max, none] = ['second-moment', 'max', 'none'].map((k) => spec.cases[k]);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(second[i] - none[i])).toBeGreaterThan(1e-2);
      expect(Math.abs(max[i] - none[i])).toBeGreaterThan(1e-2);
      expect(Math.abs(second[i] - max[i])).toBeGreaterThan(1e-3);
    }
  });

  test.each(Object.keys(spec.cases))('normalise %s', async (normalise) => {
    const [model, inputs] = await fixture();
    const attributions = await readNpy(path.join(QUANTUS, spec.attributions));
    const scores = await metrics.randomLogit({
      model, inputs, targets: spec.targets, attributions, numClasses: spec.numClasses,
      explain: { composite: 'epsilon-plus-flat' }, normalise: normalise as metrics.Normalisation,
    });
    spec.cases[normalise].forEach((q, i) => expect(Math.abs(scores[i] - q)).toBeLessThanOrEqual(1e-6));
  });
});
