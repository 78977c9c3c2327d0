"""A model whose shapes are integer arithmetic on traced sizes (x.size(1) // 2, 2 * h, h + 1 - 1,
16 - (16 - w), n * 1): a trace records each as tensor arithmetic on the size with 0-dim integer
tensor literals, which lrp-node imports as size expressions (test/unit/import.test.ts). Writes
size_arithmetic.pt, its input and its output to test/fixtures/models/. Run with /usr/bin/python3."""
import os

import torch
from torch import nn

from common import save_traced

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'models')
SEED = 20240


class SizeArithmetic(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 4 * 4, 5)

    def forward(self, x):
        y = self.conv(x)
        n, c, h, w = y.size(0), y.size(1), y.size(2), y.size(3)
        y = y.view(n, c // 2, 2 * h, w)
        y = y.reshape(n * 1, (y.size(1) + 1 - 1) * y.size(2), 16 - (16 - w))
        return self.fc(y.flatten(1))


if __name__ == '__main__':
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED + 1)
    save_traced(OUT, 'size_arithmetic', SizeArithmetic().eval(), [torch.randn(2, 3, 4, 4, generator=generator)])
