"""Exercises of chapter 09 (distributed training): ZeRO memory, accumulation steps, scaling efficiency."""
from __future__ import annotations

import math

from . import Result, run_check, verdict


def exercise_1(zero2_bytes_fn) -> Result:
    """Per-device bytes of model states under ZeRO-2: the learner writes `zero2_bytes_fn(n_params, n_devices)`."""
    def check(fn):
        cases = [(7e9, 8), (1e9, 1), (70e9, 64), (1.4e9, 4)]
        got = [float(fn(p, n)) for p, n in cases]
        want = [2 * p + 14 * p / n for p, n in cases]
        ok = all(math.isclose(g, w, rel_tol=1e-6) for g, w in zip(got, want))
        return verdict("09.1 ZeRO-2 memory", ok,
                       "right: the bf16 weights (2 B) stay replicated; gradients (2 B) and the fp32 optimizer "
                       "state (12 B) are split over the devices: 2Ψ + 14Ψ/N.",
                       f"for (n_params, n_devices) = {cases} you gave {got}, expected {want}. Which of the "
                       f"16 bytes per parameter does stage 2 shard, and which stay on every device?")
    return run_check("09.1 ZeRO-2 memory", zero2_bytes_fn, check)


def exercise_2(accum_steps) -> Result:
    """8 GPUs × micro-batch 4 × 2 accumulation steps = 64 sequences; one GPU with micro-batch 8 needs 8 steps."""
    def check(n):
        ok = not isinstance(n, bool) and isinstance(n, int) and n == 8
        return verdict("09.2 accumulation steps", ok,
                       "right: the global batch is 8 × 4 × 2 = 64 sequences, and 64 / 8 = 8 micro-batches.",
                       f"you said {n!r}. Compute the global batch first (devices × micro-batch × accumulation "
                       f"steps), then divide by the single GPU's micro-batch; the answer is an int.")
    return run_check("09.2 accumulation steps", accum_steps, check)


def exercise_3(efficiency_fn) -> Result:
    """Scaling efficiency: throughput with n devices over n times the throughput of one."""
    def check(fn):
        cases = [(1000.0, 2000.0, 2), (1000.0, 1100.0, 2), (500.0, 3600.0, 8)]
        got = [float(fn(a, b, n)) for a, b, n in cases]
        want = [b / (n * a) for a, b, n in cases]
        ok = all(math.isclose(g, w, rel_tol=1e-6) for g, w in zip(got, want))
        return verdict("09.3 scaling efficiency", ok,
                       "right: 1.0 means every added device is fully used; 1000 -> 1100 tokens/s on 2 "
                       "processes is an efficiency of 0.55.",
                       f"for {cases} you gave {got}, expected {want}: divide the n-device throughput by n "
                       f"times the one-device throughput.")
    return run_check("09.3 scaling efficiency", efficiency_fn, check)
