"""An end-to-end reference for `lrp-node search` (test/fixtures/search_reference/, read by
test/parity/search_reference.test.ts): a small search, 8 configurations x 7 metrics x 4 samples, computed
without lrp-node: explanations by zennit 0.5.1, scores by Quantus v0.6.0 with the paper's settings
(docs/metrics.md), on the vgg_bn fixture model.

The search (its SC.json is written into reference.json): base = the name map giving epsilon to
the three dense layers; groups low = features.0, features.4 and high = features.8, features.11,
each given gamma in {0.05, 1}; canonize false/true. A configuration is zennit's NameMapComposite of
those rules (layers not named keep their gradient, as lrp-node's `name-map` does); canonize true is
zennit's VGGCanonizer with the emptied batch norms' eps set to 0 (make_zennit_references.py).
Metrics, each sample scored by Quantus as a batch of one (per-sample normalisation, §14.1), on the
attribution pooled by channel sum (§2):
- sparseness, complexity, rra, rma: Quantus' classes, abs, normalised by second moment;
- pixel-flipping: Quantus' PixelFlipping on the pooled attribution repeated over the three
  channels (§2), 192 elements a step (Quantus' check that the step divides H·W skipped), baseline 0.0, softmax; score = AoPC (§8: the sum of p0 - p_t
  over T + 1). A pixel's three elements tie and no two pixels do (checked), so any sort keeps them
  together and 192 = 64 whole pixels a step: Quantus' unstable argsort cannot differ from §1 here;
- region-perturbation: 8x8 patches, 4 regions, MoRF, Quantus' own blur (make_quantus_references'
  region_perturbation, whose curve is already d_t = p0 - p_t), AoPC (§7: the sum of d_t over R + 1);
- faithfulness-correlation: Quantus on lrp-node's subsets for seed 5 (10 runs of 16 elements,
  baseline 0.0, logits; make_quantus_references' faithfulness_fixed, which needs dist/).
The model the metrics run is the traced fixture (float32, as lrp-node runs it). The attributions are
zennit's float64 run (as make_zennit_references.py stores them). Two more score sets measure the
reference's own round-off, from which the test's tolerance comes: `float32Attributions` (zennit's
float32 run, the float32 model) and `float64Model` (zennit's float64 run, the model's forwards in
float64: Quantus takes the logit and probability drops in float32, which for faithfulness
correlation's 16-element subsets is most of the difference).

Run with /usr/bin/python3 (ZENNIT_SRC, QUANTUS_SRC as for the other makers) after `npx tsc`.
"""
import copy
import json
import os
import sys
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
warnings.filterwarnings('ignore')

import make_zennit_references as zref  # noqa: E402  (puts ZENNIT_SRC on sys.path)
import make_quantus_references as qref  # noqa: E402  (puts QUANTUS_SRC on sys.path)
import quantus  # noqa: E402
from zennit.attribution import Gradient  # noqa: E402
from zennit.composites import NameMapComposite  # noqa: E402
from zennit.rules import Epsilon, Gamma  # noqa: E402
from zennit.torchvision import VGGCanonizer  # noqa: E402
from zennit.types import BatchNorm  # noqa: E402

OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'search_reference')
MODELS = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'models')
TARGETS = [1, 3, 0, 7]
SEED = 5
DENSE = ['classifier.0', 'classifier.3', 'classifier.6']
GROUPS = {'low': ['features.0', 'features.4'], 'high': ['features.8', 'features.11']}
VALUES = [0.05, 1]
CANONIZE = [False, True]
OPTIONS = {
    'pixel-flipping': {'featuresInStep': 192},
    'region-perturbation': {'patchSize': 8, 'regions': 4},
    'faithfulness-correlation': {'nrRuns': 10, 'subsetSize': 16},
}
METRICS = ['sparseness', 'complexity', 'rra', 'rma', 'pixel-flipping', 'region-perturbation', 'faithfulness-correlation']


def json_number(v):
    """A number as JSON (and lrp-node's configuration ids) write it."""
    return json.dumps(v)


def configurations():
    """(id, canonize, values) in id order: canonize slowest, the last group fastest."""
    out = []
    for k, canonize in enumerate(CANONIZE):
        for low in VALUES:
            for high in VALUES:
                out.append((f'can{k}_{json_number(low)}_{json_number(high)}', canonize, {'low': low, 'high': high}))
    return out


def data():
    rng = np.random.default_rng(29)
    x = rng.normal(size=(4, 3, 32, 32)).astype(np.float32)
    masks = np.zeros((4, 1, 32, 32), dtype=np.float32)
    for s, (r0, c0) in enumerate([(4, 8), (10, 3), (16, 16), (2, 20)]):
        masks[s, 0, r0:r0 + 12, c0:c0 + 10] = 1
    return x, masks


def explain(x, canonize, values, dtype):
    """zennit's attribution of the targets, pooled by channel sum, as float64."""
    model, _ = zref.rebuild_fixture('vgg_bn')
    model = copy.deepcopy(model).to(dtype)
    name_map = [(GROUPS['low'], Gamma(gamma=values['low'])), (GROUPS['high'], Gamma(gamma=values['high'])),
                (DENSE, Epsilon())]
    composite = NameMapComposite(name_map=name_map, canonizers=[VGGCanonizer()] if canonize else [])
    inputs = torch.from_numpy(x).to(dtype)
    with Gradient(model, composite) as attributor:
        if canonize:
            for module in model.modules():
                if isinstance(module, BatchNorm):
                    module.eps = 0.0
        _, relevance = attributor(inputs, torch.eye(10, dtype=dtype)[torch.tensor(TARGETS)])
    return relevance.sum(1, keepdim=True).detach().double().numpy()


def aopc(drops):
    return float(sum(drops) / (len(drops) + 1))


def probabilities(traced, x):
    with torch.no_grad():
        return torch.softmax(traced(torch.from_numpy(x)).double(), dim=1).numpy()


class Float64(torch.nn.Module):
    """The rebuilt model run in float64 on float32 inputs (the metrics' forwards without round-off)."""

    def __init__(self, model):
        super().__init__()
        self.model = copy.deepcopy(model).double()
        self.eval()

    def forward(self, x):
        return self.model(x.double())


def scores(traced, x, masks, a):
    """Every metric's per-sample scores for one pooled attribution a (N,1,H,W), float64."""
    y = np.array(TARGETS)
    kwargs = dict(abs=True, normalise=True, normalise_func=qref.second_moment, disable_warnings=True)
    simple = {'sparseness': quantus.Sparseness, 'complexity': quantus.Complexity,
              'rra': quantus.RelevanceRankAccuracy, 'rma': quantus.RelevanceMassAccuracy}
    out = {}
    for name, metric in simple.items():
        out[name] = [float(np.asarray(metric(**kwargs)(model=None, x_batch=x[i:i + 1], y_batch=y[i:i + 1], a_batch=a[i:i + 1],
                                                        s_batch=masks[i:i + 1], channel_first=True)).reshape(-1)[0])
                     for i in range(len(y))]
    p0 = probabilities(traced, x)[np.arange(len(y)), y]
    flipping = quantus.PixelFlipping(features_in_step=OPTIONS['pixel-flipping']['featuresInStep'], perturb_baseline=0.0, abs=False, normalise=True,
                                     disable_warnings=True)
    repeated = np.repeat(a, x.shape[1], axis=1)
    # Quantus refuses a step that does not divide H·W (1024 here); docs/metrics.md §8 takes any step
    # over the C·H·W elements, which is what Quantus' loop computes: its input check is skipped.
    from quantus.helpers import asserts
    original = asserts.assert_features_in_step
    asserts.assert_features_in_step = lambda **kwargs: None
    try:
        curves = [flipping(model=traced, x_batch=x[i:i + 1], y_batch=y[i:i + 1], a_batch=repeated[i:i + 1], channel_first=True,
                           softmax=True, device='cpu')[0] for i in range(len(y))]
    finally:
        asserts.assert_features_in_step = original
    out['pixel-flipping'] = [aopc([p0[i] - p for p in curves[i]]) for i in range(len(y))]
    region = OPTIONS['region-perturbation']
    curves = qref.region_perturbation(traced, x, y, repeated, region['patchSize'], region['regions'], 'morf')
    out['region-perturbation'] = [aopc(curves[i]) for i in range(len(y))]
    faithfulness = dict(OPTIONS['faithfulness-correlation'], perturbBaseline=0.0, seed=SEED)
    out['faithfulness-correlation'] = qref.faithfulness_fixed(traced, x, y, a, faithfulness)
    return out


def check_pixel_order(a):
    """Quantus' argsort is not stable: equal pooled values of different pixels would leave the order
    (and so the pixel-flipping curve) to chance. There are none here."""
    for sample in a:
        values = sample.reshape(-1)
        assert len(np.unique(values)) == len(values), 'tied pixels in a pooled attribution'


def main():
    os.makedirs(OUT, exist_ok=True)
    x, masks = data()
    np.save(os.path.join(OUT, 'x.npy'), x)
    np.save(os.path.join(OUT, 'masks.npy'), masks)
    traced = torch.jit.load(os.path.join(MODELS, 'vgg_bn.pt')).eval()
    rebuilt, _ = zref.rebuild_fixture('vgg_bn')
    with torch.no_grad():
        assert (rebuilt(torch.from_numpy(x)) - traced(torch.from_numpy(x))).abs().max() < 1e-5, 'rebuilt model differs'
    reference = {
        'zennit': '0.5.1', 'quantus': '0.6.0', 'model': 'vgg_bn', 'targets': TARGETS, 'seed': SEED,
        'search': {
            'metrics': METRICS, 'options': OPTIONS, 'seed': SEED,
            'base': {'composite': 'name-map', 'rules': [{'layers': DENSE, 'rule': 'epsilon'}]},
            'groups': GROUPS, 'space': {'rule': 'gamma', 'values': VALUES, 'canonize': CANONIZE},
            'strategy': {'kind': 'grid'},
        },
        'configurations': [],
    }
    for cid, canonize, values in configurations():
        a64 = explain(x, canonize, values, torch.float64)
        a32 = explain(x, canonize, values, torch.float32)
        check_pixel_order(a64)
        s64 = scores(traced, x, masks, a64)
        s32 = scores(traced, x, masks, a32)
        m64 = scores(Float64(rebuilt), x, masks, a64)
        reference['configurations'].append({'id': cid, 'canonize': canonize, 'values': values, 'scores': s64,
                                            'float32Attributions': s32, 'float64Model': m64})
        print(cid, {m: np.round(s64[m], 4).tolist() for m in METRICS}, file=sys.stderr)
        for name, other in [('float32 attributions', s32), ('float64 model', m64)]:
            print(f'  {name}:', {m: float(np.max(np.abs(np.array(other[m]) - np.array(s64[m])))) for m in METRICS}, file=sys.stderr)
    with open(os.path.join(OUT, 'reference.json'), 'w') as handle:
        json.dump(reference, handle, indent=1)


if __name__ == '__main__':
    main()
