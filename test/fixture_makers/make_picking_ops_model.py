"""The generic operators issue 24 added through the operator table, outside any torchvision model:
chunk (with prim::ListUnpack), select, slice (start, end, step, negative end), clamp / clamp_min /
clamp_max, relu6, hardtanh with other bounds, hardsigmoid. A small net traced at batch 2 (grad mode),
with torch's float64 logits and input gradient at batch 3 (test/unit/operator_table.test.ts).
Writes test/fixtures/ops/picking_ops.{pt,input0.npy,output.npy,gradient.npy,json}. Run with /usr/bin/python3."""
import json
import os

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'ops')
SEED = 24024
TARGET = [1, 2, 3]


class PickingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(10, 6, 3, padding=1)
        self.fc = nn.Linear(6 * 3 * 2, 5)

    def forward(self, x):  # (N, 6, 8, 8)
        a, b, c = x.chunk(3, dim=1)
        a = torch.clamp(a, min=-0.5)
        b = b.clamp_max(0.7)
        c = torch.clamp(F.relu6(c * 4.0), 0.5, 5.0)
        mixed = torch.cat([a, b, F.hardtanh(c, -1.0, 2.0), F.hardsigmoid(x[:, 1:6:2]),
                           x.select(1, 4).unsqueeze(1)], dim=1)
        y = F.relu(self.conv(mixed))  # (N, 6, 8, 8)
        y = y[:, :, 1:-1:2, 2:]  # (N, 6, 3, 6)
        y = F.max_pool2d(y, (1, 3))  # (N, 6, 3, 2)
        return self.fc(y.flatten(1))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(SEED)
    model = PickingNet().eval()
    generator = torch.Generator().manual_seed(SEED)
    x = torch.randn(3, 6, 8, 8, generator=generator) * 1.5
    torch.jit.trace(model, x[:2]).save(os.path.join(OUT, 'picking_ops.pt'))

    def run(m, inputs):
        inputs = inputs.clone().requires_grad_(True)
        out = m(inputs)
        out[torch.arange(inputs.shape[0]), TARGET].sum().backward()
        return out.detach(), inputs.grad.detach()

    out32, grad32 = run(model, x)
    out64, grad64 = run(model.double(), x.double())
    np.save(os.path.join(OUT, 'picking_ops.input0.npy'), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'picking_ops.output.npy'), out64.numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'picking_ops.gradient.npy'), grad64.numpy().astype(np.float32))
    with open(os.path.join(OUT, 'picking_ops.json'), 'w') as handle:
        json.dump({'target': TARGET,
                   'outputF32VsF64': float((out32.double() - out64).norm() / out64.norm()),
                   'gradientF32VsF64': float((grad32.double() - grad64).norm() / grad64.norm())}, handle)
    print(torch.jit.load(os.path.join(OUT, 'picking_ops.pt')).graph)


if __name__ == '__main__':
    main()
