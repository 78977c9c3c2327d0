"""zennit 0.5.1 references for rules on grouped convolutions after a ReLU, and flat on a convolution
and a dense layer (test/fixtures/zennit/grouped/).

The γ rule's fast path stacks [W + γW⁺; W + γW⁻] per convolution group, and the zbox rule of a first
layer stacks [W, W⁺, W⁻]; the composite grid's families have grouped convolutions only after SiLU
(EfficientNet), where inputs are signed and the general path runs. This model has grouped (4
groups) and depthwise convolutions after ReLUs, and a dense γ layer.
Run: /usr/bin/python3 test/fixture_makers/make_grouped_gamma_references.py (ZENNIT_SRC as the others)
"""
import json
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get('ZENNIT_SRC', '/work/ref/zennit/src'))
from zennit.attribution import Gradient  # noqa: E402
from zennit.composites import EpsilonGammaBox, NameMapComposite  # noqa: E402
from zennit.rules import Epsilon, Flat, Gamma, Pass, ZBox  # noqa: E402

OUT = os.path.join(HERE, '..', 'fixtures', 'zennit', 'grouped')


def build():
    torch.manual_seed(11)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=1, groups=4), nn.ReLU(),
        nn.Conv2d(8, 16, 3, padding=1, stride=2, groups=8), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 5)).eval()


def cases():
    """name → (explain config without target, zennit composite factory)."""
    convs, dense = ['2', '4'], ['8', '10']
    return {
        'epsilon-gamma-box': ({'composite': 'epsilon-gamma-box', 'low': -3, 'high': 3},
                              lambda: EpsilonGammaBox(low=-3., high=3.)),
        'gamma-grid-point': ({'composite': 'name-map', 'rules': [
            {'layers': ['0'], 'rule': 'zbox', 'low': -3, 'high': 3},
            {'layers': ['2'], 'rule': 'gamma', 'gamma': 0},
            {'layers': ['4'], 'rule': 'gamma', 'gamma': 0.5},
            {'layers': ['8'], 'rule': 'gamma', 'gamma': 10},
            {'layers': ['10'], 'rule': 'epsilon', 'epsilon': 1e-3},
            {'layers': ['1', '3', '5', '9'], 'rule': 'pass'}]},
            lambda: NameMapComposite([(['0'], ZBox(low=-3., high=3.)), (['2'], Gamma(gamma=0.)),
                                      (['4'], Gamma(gamma=0.5)), (['8'], Gamma(gamma=10.)),
                                      (['10'], Epsilon(epsilon=1e-3)), (['1', '3', '5', '9'], Pass())])),
        # flat on a convolution and on a dense layer (its sum over output channels comes first)
        'flat-conv-and-dense': ({'composite': 'name-map', 'rules': [
            {'layers': ['0', '8'], 'rule': 'flat'}, {'layers': ['10'], 'rule': 'epsilon'}]},
            lambda: NameMapComposite([(['0', '8'], Flat()), (['10'], Epsilon())])),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    model = build()
    x = torch.randn(3, 3, 12, 12, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        torch.jit.trace(model, x).save(os.path.join(OUT, 'model.pt'))
    np.save(os.path.join(OUT, 'input.npy'), x.numpy().astype(np.float32))
    target = [1, 3, 4]
    manifest = {'zennit': '0.5.1', 'target': target, 'cases': {}}
    for name, (config, make) in cases().items():
        runs = []
        for dtype in (torch.float32, torch.float64):
            m, xd = build().to(dtype), x.to(dtype)
            onehot = torch.eye(5, dtype=dtype)[target]
            with Gradient(m, make()) as attributor:
                _, relevance = attributor(xd, onehot)
            runs.append(relevance.double())
        r32, r64 = runs
        np.save(os.path.join(OUT, f'{name}.npy'), r64.numpy().astype(np.float32))
        manifest['cases'][name] = {'config': config, 'float32VsFloat64': float((r32 - r64).norm() / r64.norm())}
    with open(os.path.join(OUT, 'manifest.json'), 'w') as handle:
        json.dump(manifest, handle, indent=1)


if __name__ == '__main__':
    main()
