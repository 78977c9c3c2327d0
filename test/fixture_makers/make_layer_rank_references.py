"""zennit 0.5.1 references for every layer rule on every input rank a dense layer meets, and on a
convolution (test/fixtures/layer_ranks/, read by test/parity/layer_rank_parity.test.ts).

A dense layer maps the last axis and treats the others as samples: a relation network's g-MLP
reads (batch, pairs, features), a ConvNeXt block's MLP reads (batch, h, w, channels). Each model
below has two layers of one kind, the first reading a signed input and the second a ReLU's output
(the rules' x ≥ 0 shortcuts), then a head. Every rule is placed on both layers by a name map (zbox,
a first-layer rule, on the first with epsilon on the second); the head and the rest take the
gradient, as zennit's NameMapComposite leaves them.

Run with /usr/bin/python3; ZENNIT_SRC as for make_zennit_references.py.
"""
import json
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_zennit_references  # noqa: E402,F401  (puts ZENNIT_SRC on sys.path)
from common import save_traced  # noqa: E402
from zennit.attribution import Gradient  # noqa: E402
from zennit.composites import NameMapComposite  # noqa: E402
from zennit import rules as zr  # noqa: E402

OUT = os.path.join(HERE, '..', 'fixtures', 'layer_ranks')
SEED = 3030
LOW, HIGH = -3.0, 3.0


class Dense(nn.Module):
    """Two dense layers on (N, *lead, 6), the lead axes summed before the head."""

    def __init__(self, lead_dims):
        super().__init__()
        self.lead = tuple(range(1, 1 + lead_dims))
        self.first = nn.Linear(6, 8)
        self.second = nn.Linear(8, 7)
        self.head = nn.Linear(7, 4)

    def forward(self, x):
        h = torch.relu(self.second(torch.relu(self.first(x))))
        return self.head(h.sum(self.lead) if self.lead else h)


class Conv(nn.Module):
    """Two convolutions (the second strided) on (N, 3, 8, 8), flattened into the head."""

    def __init__(self):
        super().__init__()
        self.first = nn.Conv2d(3, 5, 3, padding=1)
        self.second = nn.Conv2d(5, 6, 3, stride=2)
        self.head = nn.Linear(6 * 3 * 3, 4)

    def forward(self, x):
        h = torch.relu(self.second(torch.relu(self.first(x))))
        return self.head(h.flatten(1))


MODELS = {
    'dense2d': (lambda: Dense(0), (2, 6)),
    'dense3d': (lambda: Dense(1), (2, 5, 6)),
    'dense4d': (lambda: Dense(2), (2, 3, 4, 6)),
    'conv': (Conv, (2, 3, 8, 8)),
}

# lrp-node rule specs; each is placed on both layers, zbox on the first only.
RULES = {
    'epsilon': {'rule': 'epsilon', 'epsilon': 0.25},
    'epsilon-no-bias': {'rule': 'epsilon', 'epsilon': 1e-6, 'zeroParams': ['bias']},
    'gamma-0': {'rule': 'gamma', 'gamma': 0.0},
    'gamma-0.25': {'rule': 'gamma', 'gamma': 0.25},
    'gamma-1': {'rule': 'gamma', 'gamma': 1.0},
    'zplus': {'rule': 'zplus'},
    'alpha2-beta1': {'rule': 'alpha-beta', 'alpha': 2, 'beta': 1},
    'alpha1-beta0': {'rule': 'alpha-beta', 'alpha': 1, 'beta': 0},
    'zbox': {'rule': 'zbox', 'low': LOW, 'high': HIGH},
    'flat': {'rule': 'flat'},
    'wsquare': {'rule': 'wsquare'},
}


def zennit_rule(spec):
    kind = spec['rule']
    zero = spec.get('zeroParams')
    if kind == 'epsilon':
        return zr.Epsilon(epsilon=spec['epsilon'], zero_params=zero)
    if kind == 'gamma':
        return zr.Gamma(gamma=spec['gamma'])
    if kind == 'zplus':
        return zr.ZPlus()
    if kind == 'alpha-beta':
        return zr.AlphaBeta(alpha=spec['alpha'], beta=spec['beta'])
    if kind == 'zbox':
        return zr.ZBox(low=spec['low'], high=spec['high'])
    if kind == 'flat':
        return zr.Flat()
    if kind == 'wsquare':
        return zr.WSquare()
    raise ValueError(kind)


def placement(spec):
    """The lrp-node `rules` of one case."""
    if spec['rule'] == 'zbox':
        return [{'layers': ['first'], **spec}, {'layers': ['second'], 'rule': 'epsilon', 'epsilon': 1e-6}]
    return [{'layers': ['first', 'second'], **spec}]


def composite(rules):
    return NameMapComposite([(entry['layers'], zennit_rule({k: v for k, v in entry.items() if k != 'layers'}))
                             for entry in rules])


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = {}
    target = [1, 3]
    for model_name, (build, shape) in MODELS.items():
        torch.manual_seed(SEED)
        model = build().eval()
        state = {k: v.clone() for k, v in model.state_dict().items()}
        x = torch.randn(*shape, generator=torch.Generator().manual_seed(SEED + 1))
        save_traced(OUT, model_name, model, [x])
        for rule_name, spec in RULES.items():
            rules = placement(spec)
            results = []
            for dtype in (torch.float32, torch.float64):
                fresh = build()
                fresh.load_state_dict(state)
                fresh = fresh.eval().to(dtype)
                with Gradient(fresh, composite(rules)) as attributor:
                    _, relevance = attributor(x.to(dtype).clone(), torch.eye(4, dtype=dtype)[target])
                results.append(relevance.double())
            r32, r64 = results
            spread = float((r32 - r64).norm() / max(r64.norm(), 1e-30))
            name = f'{model_name}.{rule_name}'
            np.save(os.path.join(OUT, f'{name}.npy'), r64.numpy().astype(np.float32))
            cases[name] = {'model': model_name, 'rules': rules, 'target': target, 'float32VsFloat64': spread}
            print(name, f'{spread:.2e}', file=sys.stderr)
    with open(os.path.join(OUT, 'manifest.json'), 'w') as handle:
        json.dump({'zennit': '0.5.1', 'cases': cases}, handle, indent=1)


if __name__ == '__main__':
    main()
