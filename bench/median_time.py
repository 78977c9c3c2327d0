"""The timing of the Python sides of the benchmarks: one warm-up call, then the median of `repeats`."""
import time


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2] * 1000
