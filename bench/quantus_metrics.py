"""Quantus' side of bench/metrics.js: times Quantus v0.6.0 RegionPerturbation (patch 14, 50 regions,
baseline "black" — v0.6.0's own perturbation, since its blur cannot run batched, docs/metrics.md §14.2)
and AvgSensitivity (10 samples, U(±0.2), explanations by zennit 0.5.1 EpsilonPlusFlat) on a model,
plus its plain forward; each metric timed as the median of --repeats runs after one warm-up run.
Prints one JSON line. QUANTUS_SRC and ZENNIT_SRC as for the fixtures.
  /usr/bin/python3 bench/quantus_metrics.py --model resnet18|vgg --input X.npy --attributions A.npy --targets 1,2
"""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get('QUANTUS_SRC', os.path.join(here, '..', '..', 'ref', 'quantus')))
sys.path.insert(0, os.environ.get('ZENNIT_SRC', os.path.join(here, '..', '..', 'ref', 'zennit', 'src')))
sys.path.insert(0, os.path.join(here, '..', 'test', 'fixture_makers'))
warnings.filterwarnings('ignore')

import quantus  # noqa: E402
from zennit.attribution import Gradient  # noqa: E402
from zennit.composites import EpsilonPlusFlat  # noqa: E402

from common import randomize_batch_norms  # noqa: E402


def build(name):
    if name == 'resnet18':
        from torchvision import models
        torch.manual_seed(0)
        model = models.resnet18()
        randomize_batch_norms(model, torch.Generator().manual_seed(1))
        return model.eval()
    import make_models
    index = [n for n, _, _ in make_models.families()].index(name)
    _, make, _ = make_models.families()[index]
    torch.manual_seed(make_models.SEED + index)
    model = make()
    randomize_batch_norms(model, torch.Generator().manual_seed(make_models.SEED + 100 + index))
    return model.eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', default='resnet18')
    parser.add_argument('--input', required=True)
    parser.add_argument('--attributions', required=True)
    parser.add_argument('--targets', required=True)
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = build(args.model)
    for module in model.modules():
        if isinstance(module, torch.nn.ReLU):
            module.inplace = False
    x = np.load(args.input)
    a = np.load(args.attributions)
    y = np.array([int(t) for t in args.targets.split(',')])

    def explain(model, inputs, targets, **kwargs):
        inputs = torch.as_tensor(inputs)
        classes = model(inputs[:1]).shape[1]
        with Gradient(model, EpsilonPlusFlat()) as attributor:
            _, relevance = attributor(inputs, torch.eye(classes)[torch.as_tensor(targets)])
        return relevance.sum(1, keepdim=True).detach().numpy()

    def timed(fn):
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    def warm_median(fn):
        fn()
        return float(np.median([timed(fn) for _ in range(args.repeats)]))

    with torch.no_grad():
        model(torch.from_numpy(x))
        forward = min(timed(lambda: model(torch.from_numpy(x))) for _ in range(3))
    rp = quantus.RegionPerturbation(patch_size=14, regions_evaluation=50, perturb_baseline='black', disable_warnings=True)
    region = warm_median(lambda: rp(model=model, x_batch=x, y_batch=y, a_batch=a, channel_first=True, softmax=True, device='cpu'))
    sens = quantus.AvgSensitivity(nr_samples=10, lower_bound=0.2, disable_warnings=True)
    sensitivity = warm_median(lambda: sens(model=model, x_batch=x, y_batch=y, a_batch=a, channel_first=True,
                                     explain_func=explain, device='cpu'))
    print(json.dumps({'forward': forward, 'regionPerturbation': region, 'avgSensitivity': sensitivity}))


if __name__ == '__main__':
    main()
