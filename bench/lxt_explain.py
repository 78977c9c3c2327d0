"""LXT's side of bench/explain.js (the ViT section): times (wall and CPU) LXT's efficient mode (github
rachtibat/LRP-eXplains-Transformers, LXT_SRC; its CP-LRP patches for torchvision's ViT: GELU by the
identity rule, LayerNorm with its std detached, no gradient through query and key) as input ×
gradient, and the model's plain forward, on the shipped ViT (data/models/vit.pt: its weights loaded
into bench/benchmark/models.py's builder). Writes the relevance (output relevance one-hot at the
target, as lrp-node's default) to --out and prints one JSON line. /usr/bin/python3 (torch 1.13).
  /usr/bin/python3 bench/lxt_explain.py --model data/models/vit.pt --input x.npy --repeats 3 --threads 2
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'benchmark'))
sys.path.insert(0, os.path.join(HERE, '..', 'test', 'fixture_makers'))

import models  # noqa: E402
from make_attention_references import load_lxt, patch_lxt_cp  # noqa: E402  (LXT's modules, loaded by file)
from median_time import median_ms  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', required=True, help='the traced ViT (its state dict is read)')
    parser.add_argument('--input', required=True, help='.npy input, (N, 3, H, W)')
    parser.add_argument('--targets', required=True, help='comma list, one class per sample')
    parser.add_argument('--out', help='.npy file for the relevance')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    lxt = load_lxt()
    if lxt is None:
        sys.exit('LXT not found (set LXT_SRC to the LRP-eXplains-Transformers checkout)')
    x = torch.from_numpy(np.load(args.input))
    state = torch.jit.load(args.model).state_dict()
    num_classes = state['heads.head.weight'].shape[0]
    plain, model = models.vit(num_classes), models.vit(num_classes)
    for m in (plain, model):
        m.load_state_dict(state)
        m.eval()
    patch_lxt_cp(model, lxt['patches'])
    targets = [int(t) for t in args.targets.split(',')]
    onehot = torch.zeros(x.shape[0], num_classes)
    onehot[torch.arange(x.shape[0]), targets] = 1.0

    def explain():
        xs = x.clone().requires_grad_()
        y = model(xs)
        y.backward(onehot / y.detach())   # output relevance one-hot: R = x ⊙ (∂y_t/∂x) / y_t
        return (xs * xs.grad).detach()

    times = {}
    for unit, clock in [('Ms', time.perf_counter), ('CpuMs', time.process_time)]:
        with torch.no_grad():
            times[f'forward{unit}'] = median_ms(lambda: plain(x), args.repeats, clock)
        times[f'explain{unit}'] = median_ms(explain, args.repeats, clock)
    if args.out:
        np.save(args.out, explain().numpy())
    print(json.dumps({'batch': x.shape[0], 'threads': torch.get_num_threads(), **times}))


if __name__ == '__main__':
    main()
