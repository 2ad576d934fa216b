"""Exercises of chapter 11 (not enough compute: memory and cost)."""
from __future__ import annotations

import math

from . import Result, run_check, verdict


def exercise_1(fn) -> Result:
    """training_state_bytes(n) = (2 + 2 + 4 + 4 + 4)·n = 16·n for mixed-precision Adam."""
    name = "11.1 training-state bytes"

    def check(f):
        ns = [1, 7_000_000_000, 123_456]
        got = [float(f(n)) for n in ns]
        want = [16.0 * n for n in ns]
        if all(math.isclose(g, 12 * n) for g, n in zip(got, ns)):
            return verdict(name, False, "", "12 bytes/param counts only the optimizer side (fp32 master, m, v); "
                           "add the 16-bit weights and gradients.")
        return verdict(name, all(math.isclose(g, w) for g, w in zip(got, want)),
                       "right: 2 (bf16 weights) + 2 (bf16 grads) + 4 (fp32 master) + 4 + 4 (Adam m, v) = 16 bytes.",
                       f"for {ns[1]:,} parameters you gave {got[1]:.4g}, expected {want[1]:.4g} bytes.")
    return run_check(name, fn, check)


def exercise_2(value) -> Result:
    """KV cache = 2 (K and V) · layers · kv_heads · head_dim · bytes · batch · tokens."""
    name = "11.2 KV-cache bytes"

    def check(v):
        want = 2 * 32 * 8 * 128 * 2 * 4 * 8192
        v = float(v)
        if math.isclose(v, want / 2):
            return verdict(name, False, "", "that is half: keep both the keys and the values.")
        return verdict(name, math.isclose(v, want, rel_tol=1e-3), f"right: {want:,} bytes ≈ {want / 2**30:.0f} GiB.",
                       f"you gave {v:.4g}, expected {want:.4g}: 2 · 32 · 8 · 128 · 2 bytes per token, "
                       f"× 4 × 8192 tokens.")
    return run_check(name, value, check)


def exercise_3(value) -> Result:
    """ceil(16 · 405e9 / 80e9) = 81 GPUs."""
    name = "11.3 GPUs for a 405B model's states"

    def check(v):
        want = math.ceil(16 * 405e9 / 80e9)
        return verdict(name, int(v) == want and float(v) == int(v),
                       f"right: 16 × 405e9 = {16 * 405e9 / 1e12:.2f} TB over 80 GB -> {want} GPUs, "
                       f"before any activation.",
                       f"you gave {v}, expected {want}: 16 bytes per parameter, divided by 80e9 bytes, rounded up.")
    return run_check(name, value, check)
