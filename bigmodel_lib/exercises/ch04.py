"""Exercises of chapter 04 (encoder and decoder)."""
from __future__ import annotations

import math

from . import Result, run_check, verdict


def exercise_1(sinusoid_fn) -> Result:
    """The learner writes `sinusoid_fn(p, i, d_model)`, one entry of the sinusoidal positional encoding."""
    name = "04.1 sinusoidal encoding"

    def check(fn):
        from ..layers import SinusoidalPositionalEncoding
        wrong = []
        for d_model in (16, 64):
            pe = SinusoidalPositionalEncoding(d_model, max_len=60).pe
            for p in (0, 1, 7, 59):
                for i in (0, 1, 2, 3, d_model - 2, d_model - 1):
                    got = float(fn(p, i, d_model))
                    want = float(pe[p, i])
                    if not math.isclose(got, want, abs_tol=1e-4):
                        wrong.append((p, i, d_model, round(got, 4), round(want, 4)))
        return verdict(name, not wrong, "right: sine on even dimensions, cosine on odd ones, the pair (2k, 2k+1) "
                       "sharing the frequency 1/10000^(2k/d).",
                       f"{len(wrong)} entries differ, e.g. (p, i, d_model, yours, expected) = {wrong[:3]}. "
                       f"Dimensions 2k and 2k+1 use the same frequency 1/10000^(2k/d_model).")
    return run_check(name, sinusoid_fn, check)


def exercise_2(params_fn) -> Result:
    """The learner writes `params_fn(d_model, d_ff)`: parameters of one EncoderLayer."""
    name = "04.2 parameters of an encoder layer"

    def check(fn):
        from ..layers import EncoderLayer
        from ..models import count_parameters
        cases = [(32, 64), (64, 256), (128, 512), (512, 2048)]
        got = [fn(d, f) for d, f in cases]
        want = [count_parameters(EncoderLayer(d, 4, f)) for d, f in cases]
        return verdict(name, got == want, f"right: 4d² + 4d for attention, 2·d·d_ff + d_ff + d for the feed-forward "
                       f"net, 4d for the two LayerNorms; at d=512, d_ff=2048 that is {want[-1]:,}.",
                       f"for (d_model, d_ff) = {cases} you gave {got}, expected {want}. Count the q/k/v and output "
                       f"projections (weights and biases), both feed-forward linears, and a weight and a bias "
                       f"per LayerNorm.")
    return run_check(name, params_fn, check)


def exercise_3(source_fn) -> Result:
    """The learner writes `source_fn(task, p, n)`: which source position step p reads for copy/reverse."""
    name = "04.3 where cross-attention should look"

    def check(fn):
        wrong = []
        for task in ("copy", "reverse"):
            for n in (3, 5, 8):
                for p in range(n):
                    want = p if task == "copy" else n - 1 - p
                    got = fn(task, p, n)
                    if got != want:
                        wrong.append((task, p, n, got, want))
        return verdict(name, not wrong, "right: copy reads the diagonal (p), reverse the anti-diagonal (n-1-p), "
                       "which is what the trained model's cross-attention drew.",
                       f"{len(wrong)} cases wrong, e.g. (task, p, n, yours, expected) = {wrong[:3]}. Positions "
                       f"count from 0.")
    return run_check(name, source_fn, check)
