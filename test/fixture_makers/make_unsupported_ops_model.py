"""A model outside the operator table (test/e2e/cli.test.ts, `inspect`): a tanh module, an erf in a
block's own forward, and a cumulative sum in the top-level forward, with supported layers between.
Writes test/fixtures/ops/unsupported_ops.pt. Run with /usr/bin/python3."""
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'ops')


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        return torch.erf(self.conv(x))


class Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Tanh())
        self.block = Block()
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        x = self.block(self.stem(x)).mean([2, 3])
        return self.head(torch.cumsum(x, 1))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(24)
    torch.jit.trace(Unsupported().eval(), torch.randn(1, 3, 8, 8)).save(os.path.join(OUT, 'unsupported_ops.pt'))


if __name__ == '__main__':
    main()
