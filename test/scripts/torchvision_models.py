"""torchvision 0.14's classification architectures at small widths, traced for lrp-node's coverage
test (test/parity/torchvision.test.ts) and table (bench/torchvision_coverage.js), with float64 references.

    /usr/bin/python3 test/scripts/torchvision_models.py OUT_DIR NAME... | --list [all]

For each NAME it writes, in OUT_DIR:
- NAME.pt: traced at batch 1 in the default (grad) mode; NAME.nograd.pt: traced under torch.no_grad();
- NAME.input.npy: a batch of BATCH samples (float32; the models run at a batch size other than the traced one);
- NAME.output.npy, NAME.gradient.npy: torch's float64 logits and the float64 input gradient of
  each sample's target logit (target k % classes + 1 for sample k);
- NAME.json: shapes, targets, and the float32-vs-float64 relative L2 distances of both (the tests'
  tolerance, as the parity tests take it).
Weights are seeded and random; batch norms get random statistics (common.randomize_batch_norms), so a
fold that lost them would show. Widths are reduced where the builder allows it (width_mult, alpha,
block counts, channel lists), and VGG/AlexNet classifiers are narrowed: the operators and the block
structure are the builder's own.
"""
import copy
import importlib
import json
import os
import sys
from functools import partial

import numpy as np
import torch
import torchvision
from torchvision import models as tvm
googlenet_module = importlib.import_module("torchvision.models.googlenet")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixture_makers'))
from common import randomize_batch_norms  # noqa: E402

BATCH = 2
CLASSES = 10


def narrow_classifier(model, hidden=32):
    '''VGG's and AlexNet's 4096-wide classifier as a `hidden`-wide one (the same layer sequence).'''
    layers = list(model.classifier)
    linears = [k for k, layer in enumerate(layers) if isinstance(layer, torch.nn.Linear)]
    for n, k in enumerate(linears):
        features_in = layers[k].in_features if n == 0 else hidden
        features_out = CLASSES if n == len(linears) - 1 else hidden
        layers[k] = torch.nn.Linear(features_in, features_out)
    model.classifier = torch.nn.Sequential(*layers)
    return model


def vgg(cfg, batch_norm):
    cfg = [v if v == 'M' else max(v // 8, 4) for v in tvm.vgg.cfgs[cfg]]
    model = tvm.vgg.VGG(tvm.vgg.make_layers(cfg, batch_norm=batch_norm), num_classes=CLASSES)
    first = model.classifier[0]
    model.classifier[0] = torch.nn.Linear(cfg[-2] * 49, first.out_features)
    return narrow_classifier(model)


def resnet(block, layers, **kwargs):
    return tvm.resnet.ResNet(block, layers, num_classes=CLASSES, **kwargs)


def densenet(growth_rate, block_config, num_init_features):
    return tvm.densenet.DenseNet(growth_rate, block_config, num_init_features, bn_size=2, num_classes=CLASSES)


def efficientnet(arch, **kwargs):
    setting, last_channel = tvm.efficientnet._efficientnet_conf(arch, **kwargs)
    return tvm.efficientnet.EfficientNet(setting, 0.2, last_channel=last_channel, num_classes=CLASSES)


def efficientnet_v2(arch):
    '''EfficientNetV2's blocks (Fused-MBConv, MBConv with SE) with a quarter of the channels and one
    block per stage.'''
    setting, last_channel = tvm.efficientnet._efficientnet_conf(arch)
    for c in setting:
        c.input_channels, c.out_channels, c.num_layers = max(c.input_channels // 4, 8), max(c.out_channels // 4, 8), 1
    return tvm.efficientnet.EfficientNet(setting, 0.2, last_channel=last_channel // 8, num_classes=CLASSES)


class NarrowConv2d(googlenet_module.BasicConv2d):
    '''GoogLeNet's conv block with an eighth of the channels (its widths are all multiples of 8).'''

    def __init__(self, in_channels, out_channels, **kwargs):
        super().__init__(in_channels if in_channels == 3 else in_channels // 8, out_channels // 8, **kwargs)


class NarrowInception(googlenet_module.Inception):
    def __init__(self, *channels, conv_block=None):
        super().__init__(*channels, conv_block=NarrowConv2d)


def googlenet(transform_input):
    '''GoogLeNet's own Inception blocks, every width an eighth (blocks=[conv, inception, aux]).'''
    model = googlenet_module.GoogLeNet(num_classes=CLASSES, aux_logits=False, transform_input=transform_input,
                                    init_weights=False,
                                    blocks=[NarrowConv2d, NarrowInception, googlenet_module.InceptionAux])
    model.fc = torch.nn.Linear(model.fc.in_features // 8, CLASSES)
    return model


def regnet(depth, w_0, w_a, w_m, group_width, se_ratio=None):
    params = tvm.regnet.BlockParams.from_init_params(depth=depth, w_0=w_0, w_a=w_a, w_m=w_m, group_width=group_width,
                                                     se_ratio=se_ratio)
    return tvm.regnet.RegNet(params, num_classes=CLASSES)


B, BN = tvm.resnet.BasicBlock, tvm.resnet.Bottleneck
# name → (builder, input height/width). Each torchvision builder, at reduced width where it allows.
BUILDERS = {
    'alexnet': (lambda: narrow_classifier(tvm.alexnet(num_classes=CLASSES)), 64),
    **{f'vgg{d}{bn}': (partial(vgg, cfg, bool(bn)), 32)
       for d, cfg in [(11, 'A'), (13, 'B'), (16, 'D'), (19, 'E')] for bn in ['', '_bn']},
    'resnet18': (partial(resnet, B, [2, 2, 2, 2]), 32),
    'resnet34': (partial(resnet, B, [3, 4, 6, 3]), 32),
    'resnet50': (partial(resnet, BN, [3, 4, 6, 3], width_per_group=16), 32),
    'resnet101': (partial(resnet, BN, [3, 4, 23, 3], width_per_group=16), 32),
    'resnet152': (partial(resnet, BN, [3, 8, 36, 3], width_per_group=16), 32),
    'resnext50_32x4d': (partial(resnet, BN, [3, 4, 6, 3], groups=8, width_per_group=2), 32),
    'resnext101_32x8d': (partial(resnet, BN, [3, 4, 23, 3], groups=8, width_per_group=2), 32),
    'resnext101_64x4d': (partial(resnet, BN, [3, 4, 23, 3], groups=16, width_per_group=1), 32),
    'wide_resnet50_2': (partial(resnet, BN, [3, 4, 6, 3], width_per_group=32), 32),
    'wide_resnet101_2': (partial(resnet, BN, [3, 4, 23, 3], width_per_group=32), 32),
    'squeezenet1_0': (lambda: tvm.squeezenet1_0(num_classes=CLASSES), 64),
    'squeezenet1_1': (lambda: tvm.squeezenet1_1(num_classes=CLASSES), 64),
    'densenet121': (partial(densenet, 8, (6, 12, 24, 16), 16), 32),
    'densenet161': (partial(densenet, 12, (6, 12, 36, 24), 24), 32),
    'densenet169': (partial(densenet, 8, (6, 12, 32, 32), 16), 32),
    'densenet201': (partial(densenet, 8, (6, 12, 48, 32), 16), 32),
    'inception_v3': (lambda: tvm.inception_v3(num_classes=CLASSES, aux_logits=False, init_weights=False), 75),
    'googlenet': (partial(googlenet, True), 32),
    'googlenet_no_transform': (partial(googlenet, False), 32),
    **{f'shufflenet_v2_x{w}': (partial(tvm.shufflenetv2.ShuffleNetV2, [2, 3, 2], [8, c, 2 * c, 4 * c, 64],
                                       num_classes=CLASSES), 32)
       for w, c in [('0_5', 8), ('1_0', 12), ('1_5', 16), ('2_0', 24)]},
    'mobilenet_v2': (lambda: tvm.mobilenet_v2(num_classes=CLASSES, width_mult=0.25), 32),
    'mobilenet_v3_small': (lambda: tvm.mobilenet_v3_small(num_classes=CLASSES, width_mult=0.25), 32),
    'mobilenet_v3_large': (lambda: tvm.mobilenet_v3_large(num_classes=CLASSES, width_mult=0.25), 32),
    **{f'mnasnet{w}': (partial(tvm.mnasnet.MNASNet, a, num_classes=CLASSES), 32)
       for w, a in [('0_5', 0.25), ('0_75', 0.3), ('1_0', 0.35), ('1_3', 0.4)]},
    **{f'efficientnet_b{k}': (partial(efficientnet, f'efficientnet_b{k}', width_mult=0.25, depth_mult=d), 32)
       for k, d in enumerate([0.25, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55])},
    **{f'efficientnet_v2_{s}': (partial(efficientnet_v2, f'efficientnet_v2_{s}'), 32) for s in 'sml'},
    'regnet_x_400mf': (partial(regnet, 6, 8, 8.0, 2.0, 4), 32),
    'regnet_x_8gf': (partial(regnet, 8, 16, 12.0, 2.0, 8), 32),
    'regnet_y_400mf': (partial(regnet, 6, 8, 8.0, 2.0, 4, 0.25), 32),
    'regnet_y_8gf': (partial(regnet, 8, 16, 12.0, 2.0, 8, 0.25), 32),
}

# One per family and one per new pattern: the test's default run (LRP_NODE_TORCHVISION=all runs every builder).
REPRESENTATIVES = ['alexnet', 'vgg11_bn', 'resnet18', 'resnext50_32x4d', 'squeezenet1_1', 'densenet121', 'googlenet',
                   'googlenet_no_transform', 'shufflenet_v2_x0_5', 'mobilenet_v2', 'mobilenet_v3_small',
                   'mnasnet0_5', 'efficientnet_b0', 'efficientnet_v2_s', 'regnet_y_400mf']


def build(name, seed=0):
    make, size = BUILDERS[name]
    index = sorted(BUILDERS).index(name)
    torch.manual_seed(1000 + 17 * seed + index)
    generator = torch.Generator().manual_seed(2000 + index)
    model = make()
    randomize_batch_norms(model, generator)
    model.eval()
    x = torch.randn(BATCH, 3, size, size, generator=generator)
    return model, x


def targets(batch):
    return [k % CLASSES + 1 for k in range(batch)]


def gradient(model, x, target):
    x = x.clone().requires_grad_(True)
    out = model(x)
    out[torch.arange(x.shape[0]), target].sum().backward()
    return out.detach(), x.grad.detach()


def rel_l2(a, b):
    return float((a.double() - b).norm() / max(float(b.norm()), 1e-30))


def write(out_dir, name):
    model, x = build(name)
    one = x[:1]
    torch.jit.trace(model, one).save(os.path.join(out_dir, f'{name}.pt'))
    with torch.no_grad():
        torch.jit.trace(model, one).save(os.path.join(out_dir, f'{name}.nograd.pt'))
    target = targets(x.shape[0])
    out32, grad32 = gradient(model, x, target)
    model64 = copy.deepcopy(model).double()
    out64, grad64 = gradient(model64, x.double(), target)
    np.save(os.path.join(out_dir, f'{name}.input.npy'), x.numpy().astype(np.float32))
    np.save(os.path.join(out_dir, f'{name}.output.npy'), out64.numpy())
    np.save(os.path.join(out_dir, f'{name}.gradient.npy'), grad64.numpy())
    meta = {'input': list(x.shape), 'target': target, 'outputF32VsF64': rel_l2(out32, out64),
            'gradientF32VsF64': rel_l2(grad32, grad64),
            'batchNorms': sum(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules())}
    with open(os.path.join(out_dir, f'{name}.json'), 'w') as handle:
        json.dump(meta, handle)


def main(argv):
    if argv[:1] == ['--list']:
        print('\n'.join(sorted(BUILDERS) if argv[1:] == ['all'] else REPRESENTATIVES))
        return
    out_dir, names = argv[0], argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    for name in names:
        write(out_dir, name)
        print(name, file=sys.stderr)


if __name__ == '__main__':
    print(f'torch {torch.__version__}, torchvision {torchvision.__version__}', file=sys.stderr)
    main(sys.argv[1:])
