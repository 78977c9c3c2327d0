"""An element-wise operator added through the operator table alone (native/core/ops/): a small
net with Hardswish modules, the first one before any convolution (so input checks must look
through it), traced, with zennit 0.5.1's EpsilonPlus attribution of it (test/unit/operator_table.test.ts).
Writes test/fixtures/models/hardswish_net.{pt,input0.npy,output.npy,epsilon-plus.npy,json}.
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
from zennit.composites import EpsilonPlus  # noqa: E402

from common import save_traced  # noqa: E402

OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'models')
SEED = 20241
TARGET = [1, 2]


class HardswishNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.act0 = nn.Hardswish()
        self.conv1 = nn.Conv2d(3, 6, 3, padding=1)
        self.act1 = nn.Hardswish()
        self.conv2 = nn.Conv2d(6, 8, 3, stride=2)
        self.act2 = nn.Hardswish()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        x = self.act1(self.conv1(self.act0(x)))
        x = self.act2(self.conv2(x))
        return self.fc(self.pool(x).flatten(1))


def build():
    torch.manual_seed(SEED)
    return HardswishNet().eval()


def epsilon_plus(model, x):
    onehot = torch.eye(4, dtype=x.dtype)[TARGET]
    with Gradient(model, EpsilonPlus()) as attributor:
        _, relevance = attributor(x, onehot)
    return relevance.double()


if __name__ == '__main__':
    x = torch.randn(2, 3, 12, 12, generator=torch.Generator().manual_seed(SEED + 1))
    save_traced(OUT, 'hardswish_net', build(), [x])
    r32 = epsilon_plus(build(), x)
    r64 = epsilon_plus(build().double(), x.double())
    np.save(os.path.join(OUT, 'hardswish_net.epsilon-plus.npy'), r64.numpy().astype(np.float32))
    with open(os.path.join(OUT, 'hardswish_net.json'), 'w') as handle:
        json.dump({'zennit': '0.5.1', 'composite': 'epsilon-plus', 'target': TARGET,
                   'float32VsFloat64': float((r32 - r64).norm() / r64.norm())}, handle, indent=1)
