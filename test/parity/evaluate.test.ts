// evaluate() called directly (the API behind `lrp-node metrics`), against Quantus v0.6.0's scores
// (test/fixtures/quantus/scores.json and deterministic.json): the shared pool and seed, per-metric
// options over them, attributions computed from the explain config when none are given, progress.
import * as fs from 'fs';
import * as path from 'path';

import { loadModel, metrics, readNpy } from '../../lib';
import { MODELS } from '../helpers';

const QUANTUS = path.join(__dirname, '..', 'fixtures', 'quantus');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(QUANTUS, file), 'utf8'));
const scores = read('scores.json') as {
  scores: Record<string, number[]>;
  curves: { targets: number[]; cases: Record<string, { featuresInStep?: number; patchSize?: number; regions?: number; order?: string; curves: number[][] }> };
};
const replayed = read('deterministic.json') as {
  targets: number[];
  faithfulnessCorrelation: Record<string, { options: Record<string, unknown>; scores: number[] }>;
  randomLogit: { targets: number[]; cases: Record<string, number[]> };
};

function expectClose(actual: ArrayLike<number> | undefined, expected: number[], tolerance: number) {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((q, i) => expect(Math.abs(actual![i] - q)).toBeLessThanOrEqual(tolerance));
}

describe('evaluate() equals Quantus', () => {
  // Mutants caught: the shared pool not passed on (sum is the default, max-norm is asked), the
  // per-metric options not applied over it, the shared seed not passed on (faithfulness correlation's
  // subsets are drawn from it), attributions not computed from the explain config.
  test('model-free metrics with a shared pool; progress after each metric', async () => {
    const attributions = await readNpy(path.join(QUANTUS, 'attributions.npy'));
    const masks = await readNpy(path.join(QUANTUS, 'masks.npy'));
    const progress: string[] = [];
    const names = ['sparseness', 'complexity', 'rra', 'rma'] as const;
    const result = await metrics.evaluate({
      metrics: names, attributions, masks, pool: 'max-norm', onProgress: (done, total, name) => progress.push(`${done}/${total} ${name}`),
    });
    for (const name of names) expectClose(result.scores[name], scores.scores[`${name}.max-norm`], 1e-6);
    expect(progress).toEqual(['1/4 sparseness', '2/4 complexity', '3/4 rra', '4/4 rma']);
  });

  test('pixel flipping and region perturbation with per-metric options; faithfulness correlation with the shared seed', async () => {
    const model = await loadModel(path.join(MODELS, 'vgg.pt'));
    const inputs = await readNpy(path.join(MODELS, 'vgg.input0.npy'));
    const flip = scores.curves.cases['pixel-flipping.black'];
    const region = scores.curves.cases['region-perturbation.8.lerf'];
    const curves = await metrics.evaluate({
      metrics: ['pixel-flipping', 'region-perturbation'], model, inputs, targets: scores.curves.targets,
      attributions: await readNpy(path.join(QUANTUS, 'pixel_flipping_attributions.npy')), pool: 'sum',
      options: {
        'pixel-flipping': { pool: 'none', featuresInStep: flip.featuresInStep, perturbBaseline: 'black' },
        'region-perturbation': { pool: 'none', patchSize: region.patchSize, regions: region.regions, order: region.order },
      },
    });
    flip.curves.forEach((curve, s) => expectClose(curves.curves['pixel-flipping']![s], curve, 1e-7));
    region.curves.forEach((curve, s) => expectClose(curves.curves['region-perturbation']![s], curve, 1e-7));

    const fc = replayed.faithfulnessCorrelation['gradient-x-input'];  // seed 7, not the default
    const { attributions: file, seed, ...options } = fc.options;
    const faithful = await metrics.evaluate({
      metrics: ['faithfulness-correlation'], model, inputs, targets: replayed.targets, seed: seed as number,
      attributions: await readNpy(path.join(QUANTUS, file as string)), options: { 'faithfulness-correlation': options },
    });
    expectClose(faithful.scores['faithfulness-correlation'], fc.scores, 1e-5);
  });

  test('random logit from attributions it explains itself', async () => {
    // The reference's given attributions are EpsilonPlusFlat's relevance for classes (1, 2), scaled;
    // second-moment normalisation removes the scale, so for sample 0 (target 1 in both) Quantus'
    // score is also the score of the relevance evaluate() computes. Sample 1's target (0) is not the
    // class its reference attributions explain, so only its definition is checked: the SSIM of the
    // explanations of class 0 and of the other class, 1.
    const model = await loadModel(path.join(MODELS, 'vgg.pt'));
    const inputs = await readNpy(path.join(MODELS, 'vgg.input0.npy'));
    const result = await metrics.evaluate({
      metrics: ['random-logit'], model, inputs, targets: replayed.randomLogit.targets,
      explain: { composite: 'epsilon-plus-flat' }, options: { 'random-logit': { numClasses: 2 } },
    });
    const score = result.scores['random-logit']!;
    expect(Math.abs(score[0] - replayed.randomLogit.cases['second-moment'][0])).toBeLessThanOrEqual(1e-6);
    const explain = async (target: number[]) => (await model.explain(inputs, { target, composite: 'epsilon-plus-flat' })).relevance;
    const prepare = { pool: 'sum', normalise: 'second-moment', abs: false } as const;
    const [given, other] = [metrics.prepareAttributions(await explain([1, 0]), prepare), metrics.prepareAttributions(await explain([0, 1]), prepare)];
    expect(Math.abs(score[1] - metrics.ssim1(given[1].values, other[1].values))).toBeLessThanOrEqual(1e-12);
  });
});
