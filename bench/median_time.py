"""The timing of the Python sides of the benchmarks: one warm-up call, then the median of `repeats`,
in milliseconds of wall time (`clock=time.perf_counter`) or of this process's CPU time
(`clock=time.process_time`: steadier on a machine shared with other work)."""
import time


def median_ms(fn, repeats, clock=time.perf_counter):
    fn()
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return sorted(times)[len(times) // 2] * 1000
