"""The fixture families of make_models.py (the same seeds, so the same weights and inputs),
exported with torch.onnx.export at opsets 13 and 17, for test/parity/onnx_import.test.ts: each must give
the forward, canonization and relevance of its TorchScript trace (test/fixtures/models/NAME.pt).
Exported at batch 1 with a dynamic batch axis (the tests run them at the fixtures' batch of 2);
BatchNorm is kept (TrainingMode.PRESERVE on an eval model: the exporter's eval-mode pass would
fold it into the convolution). Also onnx_ops_net (.pt, .onnx, input, output): the ONNX ops the
families do not export — Sub and Div by stored tensors, HardSwish, AveragePool with counted
padding (Pad + AveragePool), a linear layer on 3 dimensions (MatMul + Add), Transpose,
Unsqueeze, ReduceMean; and a copy of a small model with the node names of another producer
(onnx_other_names.onnx). The picking-ops net of make_picking_ops_model.py (the same seed and
weights as test/fixtures/ops/picking_ops.pt) exported at opsets 13 and 17: Split/Slice (torch.chunk,
with bounds computed from sizes), Slice with steps and negative ends, Clip with one or both bounds
(clamp, relu6, hardtanh), HardSigmoid, Gather of one index (select). And the error cases: an unsupported op (Tanh), an opset
outside 13–17, a model with external data and one whose data file is missing.
Writes test/fixtures/models/NAME.opset{13,17}.onnx and onnx_*.onnx. Run with /usr/bin/python3
(python3-torch, python3-torchvision, python3-onnx); the TorchScript fixtures must exist first.
"""
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_models  # noqa: E402
import make_picking_ops_model  # noqa: E402
from common import randomize_batch_norms, save_traced  # noqa: E402

OUT = make_models.OUT
OPSETS = (13, 17)
INPUT_NAMES = {'relation_net': ['image', 'question']}


def export(model, inputs, path, opset, names, fold=True):
    dynamic = {name: {0: 'batch'} for name in names + ['logits']}
    torch.onnx.export(model, tuple(inputs), path, opset_version=opset, input_names=names, output_names=['logits'],
                      dynamic_axes=dynamic, training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=fold)


def families():
    for index, (name, build, input_shapes) in enumerate(make_models.families()):
        torch.manual_seed(make_models.SEED + index)
        generator = torch.Generator().manual_seed(make_models.SEED + 100 + index)
        model = build()
        randomize_batch_norms(model, generator)
        model.eval()
        inputs = [torch.randn(*shape, generator=generator) for shape in input_shapes]
        with torch.no_grad():
            output = model(*inputs).numpy()
        expected = np.load(os.path.join(OUT, f'{name}.output.npy'))
        if not np.allclose(output, expected, rtol=1e-5, atol=1e-5):
            raise SystemExit(f"{name}: the rebuilt model does not match {name}.pt (max diff {np.abs(output - expected).max()}; run make_models.py first)")
        yield name, model, inputs


class Small(nn.Module):
    def __init__(self, activation):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.act = activation
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.act(self.conv(x)).mean((2, 3)))


class OpsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer('mean', torch.tensor([0.4, 0.5, 0.6]).view(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor([0.2, 0.25, 0.3]).view(1, 3, 1, 1))
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.act = nn.Hardswish()
        self.pool = nn.AvgPool2d(3, stride=2, padding=1)
        self.token = nn.Linear(6, 5)
        self.fc = nn.Linear(5, 4)

    def forward(self, x):
        x = self.pool(self.act(self.conv((x - self.mean) / self.std)))
        tokens = x.flatten(2).transpose(1, 2)
        tokens = torch.relu(self.token(tokens))
        return self.fc(tokens.unsqueeze(1).mean((1, 2)))


class SplitNet(nn.Module):
    """torch.split with stored sizes exports as Split (no trace to compare: the table has no
    split_with_sizes); equal parts import as chunk, unequal ones as slices."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(7, 4, 3, padding=1)

    def forward(self, x):
        a, b, c = x.split([2, 2, 2], dim=1)
        d, e = x.split([1, 5], dim=1)
        return self.conv(torch.cat([c * 2.0, a, torch.relu(b) + d, e[:, :1]], dim=1)).mean((2, 3))


def main():
    for name, model, inputs in families():
        names = INPUT_NAMES.get(name, ['x'])
        for opset in OPSETS:
            export(model, [x[:1] for x in inputs], os.path.join(OUT, f'{name}.opset{opset}.onnx'), opset, names)
        if name == 'relation_net':
            # Without constant folding a dense layer on 3-D input is MatMul(x, Transpose(W)) + Add(b).
            export(model, [x[:1] for x in inputs], os.path.join(OUT, f'{name}.opset17.unfolded.onnx'), 17, names, fold=False)

    torch.manual_seed(make_picking_ops_model.SEED)
    picking = make_picking_ops_model.PickingNet().eval()
    for opset in OPSETS:
        export(picking, [torch.randn(1, 6, 8, 8)], os.path.join(make_picking_ops_model.OUT, f'picking_ops.opset{opset}.onnx'), opset, ['x'])

    torch.manual_seed(make_models.SEED + 60)
    split = SplitNet().eval()
    x = torch.randn(2, 6, 5, 5)
    export(split, [x[:1]], os.path.join(OUT, 'onnx_split_net.onnx'), 13, ['x'])
    with torch.no_grad():
        np.save(os.path.join(OUT, 'onnx_split_net.input0.npy'), x.numpy())
        np.save(os.path.join(OUT, 'onnx_split_net.output.npy'), split(x).numpy())

    torch.manual_seed(make_models.SEED + 50)
    ops = OpsNet().eval()
    x = torch.randn(2, 3, 8, 8)
    save_traced(OUT, 'onnx_ops_net', ops, [x])
    export(ops, [x[:1]], os.path.join(OUT, 'onnx_ops_net.onnx'), 17, ['x'])

    torch.manual_seed(make_models.SEED)
    x = torch.randn(1, 3, 8, 8)
    export(Small(nn.ReLU()).eval(), [x], os.path.join(OUT, 'onnx_other_names.onnx'), 17, ['x'])
    other = onnx.load(os.path.join(OUT, 'onnx_other_names.onnx'))
    for k, node in enumerate(other.graph.node):
        node.name = '' if node.op_type == 'Relu' else f'node{k}'
    onnx.save_model(other, os.path.join(OUT, 'onnx_other_names.onnx'))
    export(Small(nn.Tanh()).eval(), [x], os.path.join(OUT, 'onnx_unknown_op.onnx'), 17, ['x'])
    export(Small(nn.ReLU()).eval(), [x], os.path.join(OUT, 'onnx_opset11.onnx'), 11, ['x'])

    # External data: every initializer in small.onnx.data beside the model; and a model whose
    # data file is missing (the same graph, pointing at a file that is not there).
    small = Small(nn.ReLU()).eval()
    folder = os.path.join(OUT, 'onnx_external')
    os.makedirs(folder, exist_ok=True)
    plain = os.path.join(folder, 'plain.onnx')
    export(small, [x], plain, 17, ['x'])
    proto = onnx.load(plain)
    os.remove(plain)
    data = os.path.join(folder, 'small.onnx.data')
    if os.path.exists(data):
        os.remove(data)  # onnx.save_model appends to an existing data file
    onnx.save_model(proto, os.path.join(folder, 'small.onnx'), save_as_external_data=True,
                    all_tensors_to_one_file=True, location='small.onnx.data', size_threshold=0)
    with torch.no_grad():
        np.save(os.path.join(folder, 'small.input0.npy'), x.numpy())
        np.save(os.path.join(folder, 'small.output.npy'), small(x).numpy())
    missing = onnx.load(os.path.join(folder, 'small.onnx'), load_external_data=False)
    for tensor in missing.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == 'location':
                entry.value = 'missing.onnx.data'
    onnx.save_model(missing, os.path.join(folder, 'missing_data.onnx'))


if __name__ == '__main__':
    main()
