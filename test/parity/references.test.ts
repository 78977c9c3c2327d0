// The inventory of the external references (issue 18.4): the parity tests read their case lists
// from the fixture manifests, so a generator that dropped cases (or moved failing ones to
// `skipped`, as make_zennit_references.py once did with the ResNet beta-smooth cases) would leave
// fewer tests that still pass. These counts are what the generators are meant to write; a shrunken
// or padded manifest fails here. Mutant caught: any manifest with one case fewer or a non-empty
// `skipped` (checked by deleting 'resnet_basic.beta-smooth.plain' from a copy of the manifest).
import * as fs from 'fs';
import * as path from 'path';

import { FAMILIES } from '../helpers';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));

const COMPOSITES = [
  'epsilon-gamma-box', 'epsilon-plus', 'epsilon-alpha2-beta1', 'epsilon-plus-flat', 'epsilon-alpha2-beta1-flat',
  'deconvnet', 'guided-backprop', 'excitation-backprop', 'beta-smooth',
];

/** Reference variants per family: DenseNet also has the paper's relu-first canonizer. */
const VARIANTS: Record<string, string[]> = Object.fromEntries(FAMILIES.map((f) => [
  f, f === 'densenet' ? ['plain', 'canonized', 'canonized-relu-first'] : ['plain', 'canonized'],
]));

describe('zennit references (make_zennit_references.py)', () => {
  const manifest = read('zennit/manifest.json') as {
    cases: Record<string, { family: string; composite: string }>; skipped: Record<string, string>;
    methods: Record<string, { family: string; method: string }>; palettes: Record<string, unknown>;
  };

  test('seven families, each with every composite in every variant, nothing skipped', () => {
    expect(FAMILIES).toEqual(['vgg', 'vgg_bn', 'resnet_basic', 'resnet_bottleneck', 'densenet', 'efficientnet', 'relation_net']);
    const expected = FAMILIES.flatMap((f) => COMPOSITES.flatMap((c) => VARIANTS[f].map((v) => `${f}.${c}.${v}`)));
    expect(expected).toHaveLength(135);
    expect(Object.keys(manifest.cases).sort()).toEqual([...expected].sort());
    for (const [name, spec] of Object.entries(manifest.cases)) expect(name.startsWith(`${spec.family}.${spec.composite}.`)).toBe(true);
    expect(manifest.skipped).toEqual({});
    for (const name of Object.keys(manifest.cases)) expect(fs.existsSync(path.join(FIXTURES, 'zennit', `${name}.npy`))).toBe(true);
  });

  test('135 cases hold 112 distinct arrays, each repeat one that the mathematics explains', () => {
    // Byte-identical references: VGG without batch norms (canonized = plain) for all nine composites;
    // the modified-gradient composites (deconvnet, guided backprop, beta-smooth), which give linear
    // layers their gradient, so folding a batch norm into one changes nothing, on the BN families;
    // EfficientNet has no ReLU module, so those three are its gradient (6 arrays in one group).
    const groups = new Map<string, string[]>();
    for (const name of Object.keys(manifest.cases)) {
      const key = fs.readFileSync(path.join(FIXTURES, 'zennit', `${name}.npy`)).toString('base64');
      groups.set(key, [...(groups.get(key) ?? []), name]);
    }
    expect(groups.size).toBe(112);
    // DenseNet is the family where every composite in every variant differs: its canonizations turn
    // BN → ReLU pairs into ThreshReLUs (gradient, not the ReLU rule), so even the modified-gradient
    // composites change; its 27 cases are 27 arrays.
    const densenet = [...groups.values()].filter((names) => names[0].startsWith('densenet.'));
    expect([densenet.length, densenet.every((names) => names.length === 1)]).toEqual([27, true]);
    const modifiedGradient = ['deconvnet', 'guided-backprop', 'beta-smooth'];
    for (const names of groups.values()) {
      if (names.length === 1) continue;
      const [family, composite] = names[0].split('.');
      for (const other of names) expect(other.split('.')[0]).toBe(family);
      if (family === 'vgg') expect(names.map((n) => n.split('.')[2]).sort()).toEqual(['canonized', 'plain']);
      else if (family === 'efficientnet') expect(names).toHaveLength(6);
      else expect([family, modifiedGradient.includes(composite), names.length]).toEqual([family, true, 2]);
    }
  });

  test('the extra cases (make_zennit_references.py extra)', () => {
    const extra = read('zennit/extra/manifest.json') as { cases: Record<string, unknown> };
    expect(Object.keys(extra.cases)).toHaveLength(7);
    for (const name of Object.keys(extra.cases)) expect(fs.existsSync(path.join(FIXTURES, 'zennit', 'extra', `${name}.npy`))).toBe(true);
  });

  test('four attribution methods on two families; eleven palettes', () => {
    const methods = ['gradient', 'integrated-gradients', 'occlusion', 'smoothgrad'];
    expect(Object.keys(manifest.methods).sort()).toEqual(['vgg', 'resnet_basic'].flatMap((f) => methods.map((m) => `${f}.method.${m}`)).sort());
    expect(Object.keys(manifest.palettes)).toHaveLength(11);
  });
});

describe('Quantus references (make_quantus_references.py)', () => {
  const scores = read('quantus/scores.json') as {
    scores: Record<string, number[]>; curves: { cases: Record<string, { curves: number[][] }> };
    ssim: unknown[]; stochastic: { seeds: number; cases: Record<string, { mean: number[] }> };
  };

  test('four model-free metrics × three poolings, five samples each', () => {
    const expected = ['sum', 'pos-l2-norm-sq', 'max-norm'].flatMap((p) => ['sparseness', 'complexity', 'rra', 'rma'].map((m) => `${m}.${p}`));
    expect(Object.keys(scores.scores).sort()).toEqual(expected.sort());
    for (const values of Object.values(scores.scores)) expect(values).toHaveLength(5);
  });

  test('pixel-flipping and region-perturbation curves, SSIM pairs, stochastic cases', () => {
    const lengths = Object.fromEntries(Object.entries(scores.curves.cases).map(([k, c]) => [k, c.curves.map((curve) => curve.length)]));
    // 3072 elements / 64 per step = 48 steps; a 32² image padded to 42² has 3 × 3 blocks of 14 (9 < 50
    // regions); padded to 32² it has 16 blocks of 8, of which 10 are perturbed.
    expect(lengths).toEqual({
      'pixel-flipping.0.0': [48, 48], 'pixel-flipping.black': [48, 48], 'pixel-flipping.mean': [48, 48],
      'region-perturbation.14.morf': [9, 9], 'region-perturbation.8.lerf': [10, 10],
    });
    expect(scores.ssim).toHaveLength(3);
    expect(scores.stochastic.seeds).toBe(20);
    expect(Object.keys(scores.stochastic.cases).sort()).toEqual(['avg-sensitivity', 'faithfulness-correlation', 'max-sensitivity', 'random-logit']);
  });
});

describe('deterministic Quantus references (make_quantus_references.py deterministic)', () => {
  test('two faithfulness-correlation cases, two shifted pixel-flipping baselines, three normalisations', () => {
    const det = read('quantus/deterministic.json') as {
      faithfulnessCorrelation: Record<string, { scores: number[] }>; pixelFlipping: { cases: Record<string, { curves: number[][] }> };
      randomLogit: { cases: Record<string, number[]> };
    };
    expect(Object.keys(det.faithfulnessCorrelation)).toEqual(['epsilon-plus-flat-sum', 'gradient-x-input']);
    for (const c of Object.values(det.faithfulnessCorrelation)) expect(c.scores).toHaveLength(2);
    expect(Object.fromEntries(Object.entries(det.pixelFlipping.cases).map(([k, c]) => [k, c.curves.map((x) => x.length)])))
      .toEqual({ '0.0': [48, 48], mean: [48, 48] });
    expect(Object.keys(det.randomLogit.cases)).toEqual(['second-moment', 'max', 'none']);
    for (const scores of Object.values(det.randomLogit.cases)) expect(scores).toHaveLength(2);
  });
});

describe('canonization cases (make_canonize_cases.py) and fixture models (make_models.py)', () => {
  test('thirteen fold patterns, sixteen random DAGs, seven models', () => {
    const cases = read('canonize/manifest.json') as { cases: Record<string, unknown>; random: Record<string, unknown> };
    expect(Object.keys(cases.cases)).toHaveLength(13);
    expect(Object.keys(cases.random)).toHaveLength(16);
    for (const name of [...Object.keys(cases.cases), ...Object.keys(cases.random)]) {
      expect(fs.existsSync(path.join(FIXTURES, 'canonize', `${name}.pt`))).toBe(true);
    }
    expect(Object.keys(read('models/manifest.json').models)).toHaveLength(7);
  });
});
