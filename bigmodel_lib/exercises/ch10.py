"""Exercises of chapter 10 (quantization): per-channel absmax by hand, rounding error, model sizes."""
from __future__ import annotations

import math

import torch

from . import Result, run_check, verdict


def exercise_1(quantize_fn) -> Result:
    """Per-channel absmax int8: the learner writes `quantize_fn(w) -> (q int8, scale)` with one scale per row."""
    name = "10.1 per-channel absmax"

    def check(fn):
        from ..quantize import absmax_quantize, dequantize
        g = torch.Generator().manual_seed(10)
        w = torch.randn(12, 20, generator=g)
        w[4] *= 50.0
        out = fn(w.clone())
        if not (isinstance(out, tuple) and len(out) == 2):
            return Result(name, False, f"return a tuple (q, scale), got {type(out).__name__}")
        q, s = out
        if not isinstance(q, torch.Tensor) or q.dtype != torch.int8 or q.shape != w.shape:
            got = f"{q.dtype} {tuple(q.shape)}" if isinstance(q, torch.Tensor) else type(q).__name__
            return Result(name, False, f"q must be an int8 tensor of shape {tuple(w.shape)}, got {got}")
        s = torch.as_tensor(s, dtype=torch.float32)
        if s.numel() != w.shape[0]:
            return Result(name, False, f"per-channel means one scale per row: {w.shape[0]} scales, got {s.numel()}."
                                       f" Reduce |w| with amax over the last dimension (keepdim=True).")
        want = dequantize(*absmax_quantize(w, per_channel=True))
        err = float((q.float() * s.reshape(-1, 1) - want).abs().max())
        return verdict(name, err < 1e-4, "right: each row's largest |value| maps to 127, so the outlier row "
                       "no longer coarsens the grid of the others.",
                       f"your q * scale is off from the reference by up to {err:.3g}. Use scale = row absmax / "
                       f"127, q = round(w / scale) clamped to [-127, 127].")
    return run_check(name, quantize_fn, check)


def exercise_2(max_error) -> Result:
    """Largest rounding error of per-tensor absmax int8 on a tensor whose largest |value| is 2.54."""
    def check(v):
        want = 2.54 / 127 / 2
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isclose(v, want, rel_tol=1e-3)
        return verdict("10.2 rounding error", ok,
                       f"right: the grid step is 2.54 / 127 = {2.54 / 127:.3g}, and rounding to the nearest "
                       f"point is off by at most half a step, {want:.3g}.",
                       f"you said {v!r}. The step between grid points is absmax / 127; how far can a value be "
                       f"from the nearest point?")
    return run_check("10.2 rounding error", max_error, check)


def exercise_3(sizes_gb) -> Result:
    """Weights of a 7-billion-parameter model in GB (1e9 bytes) at (bf16, int8, int4)."""
    def check(v):
        want = (14.0, 7.0, 3.5)
        ok = isinstance(v, (tuple, list)) and len(v) == 3 and all(
            isinstance(a, (int, float)) and math.isclose(a, b, rel_tol=1e-3) for a, b in zip(v, want))
        return verdict("10.3 model sizes", ok,
                       "right: 2, 1 and 0.5 bytes per parameter: 14, 7 and 3.5 GB (weights only; the "
                       "activations and the KV cache come on top).",
                       f"you said {v!r}; give a tuple of three numbers in GB: bits per parameter / 8 × 7e9 / 1e9.")
    return run_check("10.3 model sizes", sizes_gb, check)
