"""zennit 0.5.1 attributions on torchvision's own modules (test/fixtures/torchvision/), one small
model per pattern that issue 24 added: MobileNetV2 (ReLU6, inverted residual), MobileNetV3-small
(hardswish, the hardsigmoid squeeze-excitation gate), ShuffleNetV2 (channel split by chunk, channel
shuffle), GoogLeNet with transform_input (select/slice and scalar arithmetic on the input). The
models are test/scripts/torchvision_models.py's (seeded, narrow); each case: composite × plain /
canonized, the float32 result of the float64 run and the float32-vs-float64 distance.

How the reference matches docs/explain.md where zennit alone would differ (as make_zennit_references.py):
- residual `+` (the inverted residuals') as zennit's Sum module, and the functional global average
  poolings (MobileNetV2's adaptive_avg_pool2d, ShuffleNetV2's mean) as AdaptiveAvgPool2d modules, so
  every composite gives them the norm rule; the composites without zennit's base map (deconvnet,
  guided-backprop, beta-smooth) get (Sum, AvgPool) → Norm prepended;
- the squeeze-excitation gate signal-only, by the paper's SECanonizer (torchvision's
  SqueezeExcitation, which MobileNetV3 and EfficientNet share; loaded from PAPER_SRC);
- canonized: every batch norm merged into the convolution before it (zennit's NamedMergeBatchNorm
  over the conv → BN pairs), eps then 0 so the merge is exact as lrp-node's;
- activations run not in place (zennit's hooks read a module's stored input).
Run with /usr/bin/python3 (ZENNIT_SRC, PAPER_SRC as for make_zennit_references.py).
"""
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'scripts'))

import make_zennit_references as zref  # noqa: E402  (sets up zennit's path)
import torchvision_models as tvm_models  # noqa: E402
from zennit.canonizers import AttributeCanonizer, NamedMergeBatchNorm  # noqa: E402
from zennit.layer import Sum  # noqa: E402
from zennit.types import BatchNorm  # noqa: E402
from torchvision.models import mobilenetv2, mobilenetv3, shufflenetv2  # noqa: E402

OUT = os.path.join(HERE, '..', 'fixtures', 'torchvision')
MODELS = ['mobilenet_v2', 'mobilenet_v3_small', 'shufflenet_v2_x0_5', 'googlenet']
COMPOSITES = ['epsilon-gamma-box', 'epsilon-plus', 'epsilon-alpha2-beta1', 'epsilon-plus-flat',
              'epsilon-alpha2-beta1-flat', 'deconvnet', 'guided-backprop', 'excitation-backprop', 'beta-smooth']


def residual_forward(self, input):
    result = self.block(input) if hasattr(self, 'block') else self.conv(input)
    return self.canonizer_sum(torch.stack([input, result], dim=-1)) if self.use_res_connect else result


def mobilenet_v2_forward(self, x):
    return self.classifier(torch.flatten(self.canonizer_pool(self.features(x)), 1))


def shufflenet_forward(self, x):
    x = self.conv5(self.stage4(self.stage3(self.stage2(self.maxpool(self.conv1(x))))))
    return self.fc(torch.flatten(self.canonizer_pool(x), 1))


class StructureCanonizer(AttributeCanonizer):
    '''Residual sums and functional global poolings as modules zennit hooks (the same function).'''

    def __init__(self):
        super().__init__(self._attribute_map)

    @staticmethod
    def _attribute_map(name, module):
        if isinstance(module, (mobilenetv2.InvertedResidual, mobilenetv3.InvertedResidual)):
            return {'forward': residual_forward.__get__(module), 'canonizer_sum': Sum()}
        if isinstance(module, mobilenetv2.MobileNetV2):
            return {'forward': mobilenet_v2_forward.__get__(module), 'canonizer_pool': torch.nn.AdaptiveAvgPool2d(1)}
        if isinstance(module, shufflenetv2.ShuffleNetV2):
            return {'forward': shufflenet_forward.__get__(module), 'canonizer_pool': torch.nn.AdaptiveAvgPool2d(1)}
        return None


def conv_batch_norm_pairs(model):
    '''Each batch norm with the convolution that precedes it among the leaf modules.'''
    pairs, previous = [], None
    for name, module in model.named_modules():
        if list(module.children()):
            continue
        if isinstance(module, torch.nn.BatchNorm2d):
            assert isinstance(previous[1], torch.nn.Conv2d), f'{name} follows {previous[0]}'
            pairs.append(([previous[0]], name))
        previous = (name, module)
    return pairs


def canonizers(model, variant):
    out = [StructureCanonizer(), zref.paper_canonizers('efficientnet').SECanonizer()]
    return out + [NamedMergeBatchNorm(conv_batch_norm_pairs(model))] if variant == 'canonized' else out


def rebuild(name):
    model, x = tvm_models.build(name)
    for module in model.modules():
        if hasattr(module, 'inplace'):
            module.inplace = False
    return model, x[:1]


def attribute(model, x, comp_name, variant, target):
    comp = zref.composite(comp_name)
    comp.canonizers = canonizers(model, variant)
    with zref.Gradient(model, comp) as attributor:
        if variant == 'canonized':
            for module in model.modules():
                if isinstance(module, BatchNorm):
                    module.eps = 0.0
        return attributor(x, torch.eye(tvm_models.CLASSES)[target])


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {'zennit': '0.5.1', 'low': zref.LOW, 'high': zref.HIGH, 'cases': {}}
    for name in MODELS:
        model, x = rebuild(name)
        target = tvm_models.targets(x.shape[0])
        with torch.no_grad():
            torch.jit.trace(model, x).save(os.path.join(OUT, f'{name}.pt'))
        np.save(os.path.join(OUT, f'{name}.input0.npy'), x.numpy().astype(np.float32))
        for comp_name in COMPOSITES:
            for variant in ['plain', 'canonized']:
                case = f'{name}.{comp_name}.{variant}'
                _, r32 = attribute(rebuild(name)[0], x.clone(), comp_name, variant, target)
                _, r64 = attribute(rebuild(name)[0].double(), x.double(), comp_name, variant, target)
                spread = float((r32.double() - r64).norm() / max(float(r64.norm()), 1e-30))
                np.save(os.path.join(OUT, f'{case}.npy'), r64.numpy().astype(np.float32))
                manifest['cases'][case] = {'model': name, 'composite': comp_name, 'canonize': variant == 'canonized',
                                           'target': target, 'float32VsFloat64': spread}
                print(case, f'{spread:.2e}', file=sys.stderr)
    with open(os.path.join(OUT, 'manifest.json'), 'w') as handle:
        json.dump(manifest, handle, indent=1)


if __name__ == '__main__':
    main()
