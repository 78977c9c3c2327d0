"""The fixture families of make_models.py (the same seeds, so the same weights and inputs),
exported with torch.onnx.export at opsets 13 and 17, for test/parity/onnx_import.test.ts: each must give
the forward, canonization and relevance of its TorchScript trace (test/fixtures/models/NAME.pt).
Exported at batch 1 with a dynamic batch axis (the tests run them at the fixtures' batch of 2);
BatchNorm is kept (TrainingMode.PRESERVE on an eval model: the exporter's eval-mode pass would
fold it into the convolution). Also onnx_ops_net (.pt, .onnx, input, output): the ONNX ops the
families do not export — Sub and Div by stored tensors, HardSwish, AveragePool with counted
padding (Pad + AveragePool), a linear layer on 3 dimensions (MatMul + Add), Transpose,
Unsqueeze, ReduceMean; onnx_shufflenet (.pt, .opset{13,17}.onnx, input, output): a small
ShuffleNetV2, whose channel split exports as Slices with ends computed from the shape; the small ViT
and ConvNeXt of test/fixtures/attention at opsets 13 and 17 (layer norm, softmax, GELU, attention
products), and onnx_transformer_ops (.pt, .opset13.onnx, input, output: a layer norm without
weight and one over two axes, a 4-d matmul); and a copy of a small model with the node names of another producer
(onnx_other_names.onnx). The picking-ops net of make_picking_ops_model.py (the same seed and
weights as test/fixtures/ops/picking_ops.pt) exported at opsets 13 and 17: Split/Slice (torch.chunk,
with bounds computed from sizes), Slice with steps and negative ends, Clip with one or both bounds
(clamp, relu6, hardtanh), HardSigmoid, Gather of one index (select). And the error cases: an unsupported op (Tanh), three of them (onnx_unsupported_ops), a model exported without a dynamic batch axis
(onnx_static_batch), an opset
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
from torchvision.models.shufflenetv2 import ShuffleNetV2

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_attention_references  # noqa: E402
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


class UnsupportedOps(nn.Module):
    """Three operators the ONNX import has no translation for, as make_unsupported_ops_model.py has
    for TorchScript: a Tanh module, an Erf (not GELU's form) in a block's forward, a CumSum in the
    top-level forward."""

    class Block(nn.Module):
        def forward(self, x):
            return torch.erf(x)

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Tanh())
        self.block = UnsupportedOps.Block()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(torch.cumsum(self.block(self.stem(x)), dim=1).mean((2, 3)))


class TransformerOpsNet(nn.Module):
    """The transformer operators the ViT and ConvNeXt do not export: a layer norm without weight and
    one over two axes (the ReduceMean/Sub/Pow/Sqrt/Div pattern), a 4-d matmul of two computed
    tensors (named matmul, not bmm), softmax, GELU. Opset 13 only: torch 1.13 cannot export a
    LayerNormalization without weight at 17 (its checker refuses the empty scale input)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 8)
        self.norm = nn.LayerNorm(8, elementwise_affine=False)
        self.norm2 = nn.LayerNorm([3, 8])
        self.act = nn.GELU()
        self.head = nn.Linear(24, 4)

    def forward(self, x):
        h = self.norm(self.fc(x))  # (N, 3, 8)
        a = h.view(x.size(0), 3, 2, 4)
        s = torch.softmax(a @ a.transpose(-2, -1), dim=-1)  # (N, 3, 2, 2)
        h = (s @ a).reshape(x.size(0), 3, 8)
        return self.head(self.act(self.norm2(h)).flatten(1))


def transformer_ops():
    torch.manual_seed(make_models.SEED + 80)
    model = TransformerOpsNet().eval()
    with torch.no_grad():
        model.norm2.weight.normal_(1, 0.3)
        model.norm2.bias.normal_(0, 0.3)
    x = torch.randn(2, 3, 6)
    save_traced(OUT, 'onnx_transformer_ops', model, [x])
    export(model, [x[:1]], os.path.join(OUT, 'onnx_transformer_ops.opset13.onnx'), 13, ['x'])


def shufflenet():
    """A small torchvision ShuffleNetV2 (narrow widths, 16² input): its channel split
    (x.chunk(2, dim=1)) exports as Slices whose ends are computed from the shape (Shape → Gather →
    Add → Div → Mul) of a tensor whose channels only the graph fixes (after the channel shuffle's
    Reshape to computed sizes). Traced at batch 2, exported at batch 1 (opsets 13 and 17)."""
    torch.manual_seed(make_models.SEED + 70)
    generator = torch.Generator().manual_seed(make_models.SEED + 170)
    model = ShuffleNetV2([3, 1, 1], [4, 8, 16, 16, 16], num_classes=4)
    # Random affine parameters and running statistics measured on random inputs: with
    # randomize_batch_norms' statistics this narrow net's ReLUs die and its output ignores the input.
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.momentum = None
            with torch.no_grad():
                module.weight.copy_(1 + 0.3 * torch.randn(module.num_features, generator=generator))
                module.bias.copy_(0.2 * torch.randn(module.num_features, generator=generator))
    with torch.no_grad():
        model.train()(torch.randn(16, 3, 16, 16, generator=generator))
    model.eval()
    x = torch.randn(2, 3, 16, 16, generator=generator)
    save_traced(OUT, 'onnx_shufflenet', model, [x])
    for opset in OPSETS:
        export(model, [x[:1]], os.path.join(OUT, f'onnx_shufflenet.opset{opset}.onnx'), opset, ['x'])


def attention_models():
    """The small ViT and ConvNeXt of test/fixtures/attention (make_attention_references.py),
    rebuilt with their traces' weights and exported at batch 1 (opsets 13 and 17): LayerNormalization
    at 17 and the ReduceMean/Sub/Pow/Sqrt/Div pattern at 13, Softmax, GELU's Erf form, MatMul of
    two computed tensors. Writes test/fixtures/attention/NAME.opset{13,17}.onnx."""
    for name, build in [('vit', make_attention_references.make_vit), ('convnext', make_attention_references.make_convnext)]:
        model = build()
        model.load_state_dict(torch.jit.load(os.path.join(make_attention_references.OUT, f'{name}.pt')).state_dict())
        model.eval()
        x = torch.from_numpy(np.load(os.path.join(make_attention_references.OUT, f'{name}.input.npy')))
        expected = np.load(os.path.join(make_attention_references.OUT, f'{name}.output.npy'))
        with torch.no_grad():
            output = model(x).numpy()
        if not np.allclose(output, expected, rtol=1e-5, atol=1e-5):
            raise SystemExit(f"{name}: the rebuilt model does not match {name}.pt (run make_attention_references.py first)")
        for opset in OPSETS:
            export(model, [x[:1]], os.path.join(make_attention_references.OUT, f'{name}.opset{opset}.onnx'), opset, ['x'])


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

    shufflenet()
    attention_models()
    transformer_ops()

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
    export(UnsupportedOps().eval(), [x], os.path.join(OUT, 'onnx_unsupported_ops.onnx'), 17, ['x'])
    # Without a dynamic batch axis: the input is declared (1, 3, 8, 8), and runs only so.
    torch.onnx.export(Small(nn.ReLU()).eval(), (x,), os.path.join(OUT, 'onnx_static_batch.onnx'), opset_version=17,
                      input_names=['x'], output_names=['logits'])

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
