"""The paper's search pipeline, run from its own logic, for bench/search.js.

The paper (Pahde et al. 2023, quantus_evaluation/grid_search_gamma.py) loops over configurations,
builds a zennit 0.5.1 NameMapComposite with one Gamma per layer group and Pass on the ReLUs and
batch norms, and for each metric calls Quantus with `a_batch=None`, so every metric explains the
batch again. This script does the same with Quantus v0.6.0 and the docs/metrics.md settings (second-moment
normalisation, region perturbation with Quantus' blur per sample as docs/metrics.md §14.2 describes), on a
narrow VGG-13-BN, and prints seconds per configuration.

  make: writes model.pt (traced), weights.pt, x.npy, masks.npy, labels.npy into --dir
  run:  times --configs configurations spread over the grid (ids as lrp-node's) and prints JSON

Run with /usr/bin/python3; QUANTUS_SRC / ZENNIT_SRC as for the fixtures.
"""
import argparse
import itertools
import json
import os
import sys
import time
import warnings

import numpy as np
import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get('QUANTUS_SRC', os.path.join(here, '..', '..', 'ref', 'quantus')))
sys.path.insert(0, os.environ.get('ZENNIT_SRC', os.path.join(here, '..', '..', 'ref', 'zennit', 'src')))
sys.path.insert(0, os.path.join(here, '..', 'test', 'fixture_makers'))
warnings.filterwarnings('ignore')

import quantus  # noqa: E402
from zennit.attribution import Gradient  # noqa: E402
from zennit.canonizers import SequentialMergeBatchNorm  # noqa: E402
from zennit.composites import NameMapComposite  # noqa: E402
from zennit.rules import Gamma, Pass  # noqa: E402

from common import randomize_batch_norms  # noqa: E402
from make_quantus_references import region_perturbation, second_moment  # noqa: E402

# VGG-13's layout with 1/8 of its channels (torchvision's cfg 'B'); features.<i> names as torchvision.
CFG = [8, 8, 'M', 16, 16, 'M', 32, 32, 'M', 64, 64, 'M', 64, 64, 'M']


class NarrowVGG13BN(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        layers, channels = [], 3
        for v in CFG:
            if v == 'M':
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(channels, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU()]
                channels = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(nn.Linear(64 * 4, 64), nn.ReLU(), nn.Dropout(), nn.Linear(64, 64), nn.ReLU(),
                                        nn.Dropout(), nn.Linear(64, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def layer_names(model):
    convs = [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d)]
    return {
        'low': convs[:4], 'mid': convs[4:6], 'high': convs[6:], 'head': ['classifier.0', 'classifier.3', 'classifier.6'],
        'pass': [n for n, m in model.named_modules() if isinstance(m, (nn.ReLU, nn.BatchNorm2d))],
    }


def build(seed=0):
    torch.manual_seed(seed)
    model = NarrowVGG13BN()
    randomize_batch_norms(model, torch.Generator().manual_seed(seed + 1))
    return model.eval()


def make(args):
    os.makedirs(args.dir, exist_ok=True)
    model = build()
    rng = np.random.default_rng(3)
    n, size = args.samples, args.size
    # Smooth noise images with one bright square each; the mask is the square.
    x = rng.normal(size=(n, 3, size // 4, size // 4)).repeat(4, axis=2).repeat(4, axis=3) * 0.5
    masks = np.zeros((n, 1, size, size), dtype=np.float32)
    for i in range(n):
        r, c, s = rng.integers(0, size // 2), rng.integers(0, size // 2), size // 3
        x[i, :, r:r + s, c:c + s] += 2.0
        masks[i, 0, r:r + s, c:c + s] = 1
    x = x.astype(np.float32)
    with torch.no_grad():
        labels = model(torch.from_numpy(x)).argmax(1).numpy()
    torch.jit.trace(model, torch.from_numpy(x[:2])).save(os.path.join(args.dir, 'model.pt'))
    torch.save(model.state_dict(), os.path.join(args.dir, 'weights.pt'))
    np.save(os.path.join(args.dir, 'x.npy'), x)
    np.save(os.path.join(args.dir, 'masks.npy'), masks)
    np.save(os.path.join(args.dir, 'labels.npy'), labels.astype(np.int64))
    print(json.dumps({'groups': {k: v for k, v in layer_names(model).items() if k != 'pass'}, 'pass': layer_names(model)['pass']}))


def run(args):
    torch.set_num_threads(args.threads)
    model = build()
    model.load_state_dict(torch.load(os.path.join(args.dir, 'weights.pt')))
    model.eval()
    x = np.load(os.path.join(args.dir, 'x.npy'))
    s = np.load(os.path.join(args.dir, 'masks.npy'))
    y = np.load(os.path.join(args.dir, 'labels.npy'))
    names = layer_names(model)
    values = [float(v) for v in args.values.split(',')]
    canonize = [int(c) for c in args.canonize.split(',')]

    def explain_with(name_map, canonized):
        def explain(model, inputs, targets, **kwargs):
            inputs = torch.as_tensor(inputs).requires_grad_(True)
            classes = model(inputs[:1]).shape[1]
            canonizers = [SequentialMergeBatchNorm()] if canonized else []
            composite = NameMapComposite(name_map=name_map, canonizers=canonizers)
            with Gradient(model, composite) as attributor:
                _, relevance = attributor(inputs, torch.eye(classes)[torch.as_tensor(targets)])
            # channel pooling: sum (docs/metrics.md §2)
            return relevance.sum(1, keepdim=True).detach().numpy()
        return explain

    common = dict(normalise=True, normalise_func=second_moment, disable_warnings=True)
    metrics = {
        'avg-sensitivity': lambda: quantus.AvgSensitivity(nr_samples=10, lower_bound=0.2, abs=False, **common),
        'rra': lambda: quantus.RelevanceRankAccuracy(abs=True, **common),
        'rma': lambda: quantus.RelevanceMassAccuracy(abs=True, **common),
        'sparseness': lambda: quantus.Sparseness(abs=True, **common),
        'random-logit': lambda: quantus.RandomLogit(num_classes=10, seed=42, similarity_func=quantus.similarity_func.ssim, abs=False, **common),
        'pixel-flipping': lambda: quantus.PixelFlipping(features_in_step=args.features_in_step, perturb_baseline=0.0, abs=False,
                                                        normalise=True, disable_warnings=True),
    }
    full = list(itertools.product(range(len(canonize)), values, values, values, values))
    # --configs configurations spread evenly over the grid (both canonize settings)
    count = min(args.configs, len(full))
    grid = [full[round(i * (len(full) - 1) / max(1, count - 1))] for i in range(count)]
    times, cpu = [], []
    per_metric = {name: 0.0 for name in [*metrics, 'region-perturbation']}
    for k, low, mid, high, head in grid:
        name_map = [(names['low'], Gamma(low)), (names['mid'], Gamma(mid)), (names['high'], Gamma(high)),
                    (names['head'], Gamma(head)), (names['pass'], Pass())]
        explain = explain_with(name_map, bool(canonize[k]))
        start, cpu_start = time.perf_counter(), time.process_time()
        for batch in range(0, len(x), args.batch):
            xb, yb, sb = x[batch:batch + args.batch], y[batch:batch + args.batch], s[batch:batch + args.batch]
            for name, metric in metrics.items():
                begin = time.perf_counter()
                # a_batch=None: Quantus explains the batch itself, once per metric (as the paper's pipeline).
                metric()(model=model, x_batch=xb, y_batch=yb, a_batch=None, s_batch=sb, channel_first=True,
                         explain_func=explain, device='cpu', **({'softmax': True} if name == 'pixel-flipping' else {}))
                per_metric[name] += time.perf_counter() - begin
            begin = time.perf_counter()
            # region perturbation with Quantus' blur, on a fresh explanation of the batch
            region_perturbation(model, xb, yb, explain(model, xb, yb), args.patch, args.regions, 'morf')
            per_metric['region-perturbation'] += time.perf_counter() - begin
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)  # CPU seconds of all the process's threads
        print(f'can{k}_{low}_{mid}_{high}_{head}: {times[-1]:.2f} s', file=sys.stderr)
    print(json.dumps({'configs': len(times), 'secondsPerConfig': float(np.mean(times)), 'times': times,
                      'cpuSecondsPerConfig': float(np.mean(cpu)),
                      'metricSecondsPerConfig': {k: v / len(times) for k, v in per_metric.items()}}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='command', required=True)
    m = sub.add_parser('make')
    m.add_argument('--dir', required=True)
    m.add_argument('--samples', type=int, default=8)
    m.add_argument('--size', type=int, default=64)
    r = sub.add_parser('run')
    r.add_argument('--dir', required=True)
    r.add_argument('--values', default='0,0.25,1')
    r.add_argument('--canonize', default='0,1')
    r.add_argument('--configs', type=int, default=2)
    r.add_argument('--batch', type=int, default=32)
    r.add_argument('--features-in-step', type=int, default=256)
    r.add_argument('--patch', type=int, default=8)
    r.add_argument('--regions', type=int, default=50)
    r.add_argument('--threads', type=int, default=os.cpu_count())
    args = parser.parse_args()
    make(args) if args.command == 'make' else run(args)


if __name__ == '__main__':
    main()
