"""Exercises of chapter 05 (training time)."""
from __future__ import annotations

import math

from . import Result, run_check, verdict


def exercise_1(days_fn) -> Result:
    """days_to_train(n_params, tokens, n_gpus, peak_flops, mfu) = 6·N·D / (n · peak · mfu) / 86400."""
    name = "05.1 days to train"

    def check(fn):
        cases = [(70e9, 2e12, 2048, 312e12, 0.4), (1e9, 20e9, 8, 989e12, 0.5), (175e9, 300e9, 1024, 125e12, 0.3)]
        got = [float(fn(*c)) for c in cases]
        want = [6 * n * d / (g * p * u) / 86400 for n, d, g, p, u in cases]
        ok = all(math.isclose(a, b, rel_tol=1e-3) for a, b in zip(got, want))
        return verdict(name, ok, "right: work (6·N·D FLOPs) divided by the rate (devices × peak × utilisation), "
                       "converted from seconds to days.",
                       f"for {cases[0]} you gave {got[0]:.4g}, expected {want[0]:.4g} days. Divide 6·N·D by "
                       f"n_gpus·peak_flops·mfu to get seconds, then by 86,400.")
    return run_check(name, days_fn, check)


def exercise_2(mfu) -> Result:
    """Implied MFU of Llama 2 7B: 6·7e9·2e12 / (184,320 h · 3600 s/h · 312e12 FLOP/s)."""
    name = "05.2 Llama 2 7B utilisation"

    def check(v):
        want = 6 * 7e9 * 2e12 / (184_320 * 3600 * 312e12)
        v = float(v)
        if v > 1:
            return verdict(name, False, "", f"{v} is more than 1: give a fraction (e.g. 0.35), not a percentage.")
        return verdict(name, math.isclose(v, want, rel_tol=0.02), f"right: about {want:.1%} of the A100's 312 TFLOPS.",
                       f"you gave {v:.3g}, expected about {want:.3f}. Work = 6·N·D; what the GPU-hours could "
                       f"deliver at peak = hours × 3600 × 312e12.")
    return run_check(name, mfu, check)


def exercise_3(flops_per_token) -> Result:
    """GPT-2 small per-token training FLOPs: 6·(12·L·d² + V·d) + 12·L·d·T."""
    name = "05.3 GPT-2 FLOPs per token"

    def check(v):
        L, d, T, V = 12, 768, 1024, 50257
        n = 12 * L * d * d + V * d
        want = 6 * n + 12 * L * d * T
        v = float(v)
        if math.isclose(v, 6 * n, rel_tol=0.01):
            return verdict(name, False, "", f"{v:.4g} is 6·N only: add the attention term 12·L·d·T.")
        return verdict(name, math.isclose(v, want, rel_tol=0.01),
                       f"right: N = {n:,} matmul weights (the tied head counts once), 6N + 12·L·d·T = {want:.4g}.",
                       f"you gave {v:.4g}, expected about {want:.4g}. N = 12·L·d² (blocks) + V·d (head).")
    return run_check(name, flops_per_token, check)
