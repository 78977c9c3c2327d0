"""zennit's side of bench/explain.js: times zennit 0.5.1 EpsilonPlusFlat or EpsilonGammaBox (low -3,
high 3; --composite), with its canonizers, and
the model's plain forward on a torchvision model built exactly as make_bench_models.py builds it.
Prints one JSON line. Needs ZENNIT_SRC (zennit's src/ folder) or zennit installed; /usr/bin/python3.
  /usr/bin/python3 bench/zennit_explain.py --model vgg16_bn --batch 8 --repeats 3 --threads 2
"""
import argparse
import json
import os
import sys

import torch
from torchvision import models

sys.path.insert(0, os.environ.get('ZENNIT_SRC', os.path.join(os.path.dirname(__file__), '..', '..', 'ref', 'zennit', 'src')))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixture_makers'))

from zennit.attribution import Gradient  # noqa: E402
from zennit.composites import EpsilonGammaBox, EpsilonPlusFlat  # noqa: E402
from zennit.torchvision import ResNetCanonizer, VGGCanonizer  # noqa: E402

from common import randomize_batch_norms  # noqa: E402
from median_time import median_ms  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', default='vgg16_bn')
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    parser.add_argument('--input', help='.npy input (else seeded noise)')
    parser.add_argument('--composite', default='epsilon-plus-flat', choices=['epsilon-plus-flat', 'epsilon-gamma-box'])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = getattr(models, args.model)()
    randomize_batch_norms(model, torch.Generator().manual_seed(1))
    model.eval()
    if args.input:
        import numpy as np
        x = torch.from_numpy(np.load(args.input))
    else:
        x = torch.randn(args.batch, 3, args.size, args.size, generator=torch.Generator().manual_seed(2))
    target = torch.eye(1000)[[i % 1000 for i in range(x.shape[0])]]
    canonizer = ResNetCanonizer() if args.model.startswith('resnet') else VGGCanonizer()
    if args.composite == 'epsilon-gamma-box':
        composite = EpsilonGammaBox(low=-3., high=3., canonizers=[canonizer])
    else:
        composite = EpsilonPlusFlat(canonizers=[canonizer])

    with torch.no_grad():
        forward_ms = median_ms(lambda: model(x), args.repeats)
    with Gradient(model, composite) as attributor:
        explain_ms = median_ms(lambda: attributor(x, target), args.repeats)
    print(json.dumps({'model': args.model, 'batch': x.shape[0], 'threads': torch.get_num_threads(),
                      'forwardMs': forward_ms, 'explainMs': explain_ms}))


if __name__ == '__main__':
    main()
