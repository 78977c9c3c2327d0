"""PyTorch's side of bench/call_overhead.js: per-call time of a traced fixture model's forward
(torch.jit.load, no_grad), after a warm-up. Prints one JSON line. /usr/bin/python3.
  /usr/bin/python3 bench/call_overhead.py --model test/fixtures/models/resnet_basic.pt --batch 8 --calls 500
"""
import argparse
import json
import time

import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', required=True)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--size', type=int, default=32)
    parser.add_argument('--calls', type=int, default=500)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = torch.jit.load(args.model).eval()
    x = torch.randn(args.batch, 3, args.size, args.size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        for _ in range(50):
            model(x)
        start = time.perf_counter()
        for _ in range(args.calls):
            model(x)
        per_call = (time.perf_counter() - start) / args.calls
    print(json.dumps({'forwardMs': per_call * 1000}))


if __name__ == '__main__':
    main()
