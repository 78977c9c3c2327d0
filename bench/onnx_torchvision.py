"""Exports torchvision 0.14 builders (default widths, seeded random weights) both ways for
bench/onnx_coverage.js: a TorchScript trace and an ONNX export at opset 17 with a dynamic batch
axis and batch norms kept (TrainingMode.PRESERVE). Run with /usr/bin/python3; writes into argv[1];
further arguments pick builders by name (default: all).
"""
import os
import sys

import torch
import torchvision.models as tvm

NAMES = ['resnet18', 'mobilenet_v2', 'mobilenet_v3_small', 'shufflenet_v2_x0_5', 'googlenet', 'efficientnet_b0',
         'densenet121', 'squeezenet1_1', 'vgg11_bn', 'mnasnet0_5', 'regnet_y_400mf', 'inception_v3']


def main(out, names):
    for name in names or NAMES:
        torch.manual_seed(0)
        options = {'aux_logits': False, 'init_weights': True} if name in ('googlenet', 'inception_v3') else {}
        model = getattr(tvm, name)(**options).eval()
        size = 75 if name == 'inception_v3' else 64
        x = torch.randn(1, 3, size, size)
        torch.jit.trace(model, x).save(os.path.join(out, f'{name}.pt'))
        try:
            torch.onnx.export(model, (x,), os.path.join(out, f'{name}.onnx'), opset_version=17, input_names=['x'],
                              output_names=['y'], dynamic_axes={'x': {0: 'batch'}, 'y': {0: 'batch'}},
                              training=torch.onnx.TrainingMode.PRESERVE)
            print(name, size, 'exported', flush=True)
        except Exception as error:  # noqa: BLE001 (the exporter's own refusals are a result here)
            print(name, size, 'export failed:', str(error).split('\n')[0][:160], flush=True)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2:])
