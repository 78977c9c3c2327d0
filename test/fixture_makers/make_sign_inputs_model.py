"""Layer inputs whose sign the graph does or does not fix, after a normalization inside the model
(sub and div by buffers), a per-channel scale and shift made of two tensor constants, and a shift
and scales by numbers: a convolution after max-pooled ReLUs
(≥ 0 by construction), after ReLU − 0.5 (a scalar shift), after a concatenation of a ReLU's output
with a signed tensor, and after ReLU · (−1). The sign-split rules skip the x⁻ terms only where the
graph guarantees x ≥ 0 (native/core/non_negative.cpp); zennit 0.5.1's EpsilonPlus and
EpsilonGammaBox (low −3, high 3) attributions are the reference (test/parity/non_negative_inputs.test.ts).
Writes test/fixtures/models/sign_inputs_net.{pt,input0.npy,output.npy,<composite>.npy,json}, and
two models lrp-node refuses at load (test/unit/errors.test.ts): sub_of_computed.pt (a difference of two
computed tensors) and to_integer.pt (a conversion to an integer type).
zennit: ZENNIT_SRC or ../../../ref/zennit/src, as make_zennit_references.py. Run with /usr/bin/python3."""
import json
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get('ZENNIT_SRC', os.path.join(HERE, '..', '..', '..', 'ref', 'zennit', 'src')))
sys.path.insert(0, HERE)

from zennit.attribution import Gradient  # noqa: E402
from zennit.composites import EpsilonGammaBox, EpsilonPlus  # noqa: E402

from common import save_traced  # noqa: E402

OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'models')
SEED = 20251
TARGET = [0, 3]
COMPOSITES = {
    'epsilon-plus': lambda: EpsilonPlus(),
    'epsilon-gamma-box': lambda: EpsilonGammaBox(low=-3.0, high=3.0),
}


class SignInputsNet(nn.Module):
    def __init__(self):
        super().__init__()
        # Plain tensor attributes, neither parameters nor buffers: tracing records them as two
        # tensor constants of one scope.
        self.scale = torch.tensor([0.5, 2.0, 1.5]).view(1, 3, 1, 1)
        self.shift = torch.tensor([0.1, -0.2, 0.3]).view(1, 3, 1, 1)
        self.register_buffer('mean', torch.tensor([0.2, -0.1, 0.05]).view(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor([0.9, 1.2, 1.1]).view(1, 3, 1, 1))
        self.conv0 = nn.Conv2d(3, 6, 3, padding=1)
        self.relu0 = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.conv1 = nn.Conv2d(6, 6, 3, padding=1)   # input: max-pooled ReLU, ≥ 0
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(6, 5, 3, padding=1)   # input: ReLU − 0.5, signed
        self.relu2 = nn.ReLU()
        self.conv3 = nn.Conv2d(10, 6, 3, padding=1)  # input: cat(ReLU, signed), signed
        self.relu3 = nn.ReLU()
        self.conv4 = nn.Conv2d(6, 4, 3, padding=1)   # input: ReLU · (−1), ≤ 0
        self.head = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 5)

    def forward(self, x):
        x = (x - self.mean) / self.std  # a normalization inside the model: sub and div by buffers
        x = x * self.scale + self.shift
        x = (x - 0.1) / 2.0 * torch.tensor(1.5)  # by numbers, one a tensor made in the forward
        x = self.pool(self.relu0(self.conv0(x)))
        y = self.conv1(x)
        z = self.conv2(self.relu1(y) + (-0.5))
        w = self.conv3(torch.cat([self.relu2(z), z], 1))
        v = self.conv4(self.relu3(w) * -1.0)
        return self.fc(self.head(v).flatten(1))


def build():
    torch.manual_seed(SEED)
    return SignInputsNet().eval()


def attribute(model, x, composite):
    onehot = torch.eye(5, dtype=x.dtype)[TARGET]
    with Gradient(model, COMPOSITES[composite]()) as attributor:
        _, relevance = attributor(x, onehot)
    return relevance.double()


class SubOfComputed(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 1)

    def forward(self, x):
        return self.conv(x) - x


class ToInteger(nn.Module):
    def forward(self, x):
        return (x * 10).to(torch.int32).float()


if __name__ == '__main__':
    probe = torch.randn(1, 3, 4, 4)
    torch.manual_seed(SEED)
    torch.jit.trace(SubOfComputed().eval(), probe).save(os.path.join(OUT, 'sub_of_computed.pt'))
    torch.jit.trace(ToInteger().eval(), probe).save(os.path.join(OUT, 'to_integer.pt'))
    x = torch.randn(2, 3, 12, 12, generator=torch.Generator().manual_seed(SEED + 1))
    save_traced(OUT, 'sign_inputs_net', build(), [x])
    errors = {}
    for composite in COMPOSITES:
        r32 = attribute(build(), x, composite)
        r64 = attribute(build().double(), x.double(), composite)
        np.save(os.path.join(OUT, f'sign_inputs_net.{composite}.npy'), r64.numpy().astype(np.float32))
        errors[composite] = float((r32 - r64).norm() / r64.norm())
    with open(os.path.join(OUT, 'sign_inputs_net.json'), 'w') as handle:
        json.dump({'zennit': '0.5.1', 'target': TARGET, 'float32VsFloat64': errors}, handle, indent=1)
