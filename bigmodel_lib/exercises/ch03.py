"""Exercises of chapter 03 (attention)."""
from __future__ import annotations

import math

import torch

from . import Result, run_check, verdict


def exercise_1(attention_fn) -> Result:
    """The learner writes `attention_fn(q, k, v)` -> softmax(q kᵀ / √d_k) v for [..., T, d] tensors."""
    name = "03.1 attention from the formula"

    def check(fn):
        from ..attention import scaled_dot_product_attention
        g = torch.Generator().manual_seed(3)
        shapes = [((5, 4), (7, 4), (7, 3)), ((2, 6, 8), (2, 6, 8), (2, 6, 8)),
                  ((2, 3, 4, 16), (2, 3, 9, 16), (2, 3, 9, 5))]
        for sq, sk, sv in shapes:
            q, k, v = (torch.randn(*s, generator=g) * 3 for s in (sq, sk, sv))
            got = fn(q, k, v)
            if isinstance(got, tuple):  # accept (output, weights) as well
                got = got[0]
            want, _ = scaled_dot_product_attention(q, k, v)
            if not isinstance(got, torch.Tensor) or got.shape != want.shape:
                shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
                return Result(name, False, f"for q {sq}, k {sk}, v {sv} the output should have shape "
                                           f"{tuple(want.shape)}, got {shape}. Transpose only the last two "
                                           f"dimensions of k (k.transpose(-2, -1)).")
            if not torch.allclose(got, want, atol=1e-4, rtol=1e-4):
                err = (got - want).abs().max().item()
                hint = "divide by √d_k (the last dimension of q)" if d_hint(got, q, k, v) else \
                    "take the softmax along the last dimension (over the keys)"
                return Result(name, False, f"for q {sq} the output is off by up to {err:.3g}; {hint}.")
        return verdict(name, True, "right: scores, scale, softmax over the keys, weighted sum of the values.", "")

    def d_hint(got, q, k, v):
        unscaled = torch.softmax(q @ k.transpose(-2, -1), dim=-1) @ v
        return torch.allclose(got, unscaled, atol=1e-4, rtol=1e-4)

    return run_check(name, attention_fn, check)


def exercise_2(scale_fn) -> Result:
    """The learner writes `scale_fn(d_k, sigma)`: the factor that gives q·k unit variance."""
    name = "03.2 the scale for unit variance"

    def check(fn):
        cases = [(64, 1.0), (16, 2.0), (256, 0.5), (1, 3.0)]
        got = [float(fn(d, s)) for d, s in cases]
        want = [1.0 / (s * s * math.sqrt(d)) for d, s in cases]
        ok = all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(got, want))
        return verdict(name, ok, "right: Var(q·k) = d_k·σ⁴, so multiply by 1/(σ²·√d_k). With σ = 1 it is the "
                       "1/√d_k of the formula.",
                       f"for (d_k, sigma) = {cases} you gave {[round(x, 5) for x in got]}, expected "
                       f"{[round(x, 5) for x in want]}. Each product q_i·k_i has variance σ²·σ² = σ⁴; the sum of "
                       f"d_k of them has variance d_k·σ⁴, and scaling by c multiplies the variance by c².")
    return run_check(name, scale_fn, check)


def exercise_3(bytes_fn) -> Result:
    """The learner writes `bytes_fn(batch, heads, T, bytes_per_element)`: memory of stored attention weights."""
    name = "03.3 memory of the attention weights"

    def check(fn):
        cases = [(1, 1, 1024, 4), (8, 12, 2048, 2), (2, 4, 7, 4)]
        got = [fn(*c) for c in cases]
        want = [b * h * t * t * e for b, h, t, e in cases]
        # and against a real tensor for the small case
        from ..attention import scaled_dot_product_attention
        q = torch.randn(2, 4, 7, 8)
        _, w = scaled_dot_product_attention(q, q, q)
        real = w.numel() * w.element_size()
        ok = got == want and want[-1] == real
        return verdict(name, ok, f"right: one T×T matrix per sequence and head; at 8 sequences, 12 heads and "
                       f"T=2048 in bf16 that is already {want[1] / 2**30:.2f} GiB for one layer.",
                       f"for (batch, heads, T, bytes) = {cases} you gave {got}, expected {want}. Every head of "
                       f"every sequence stores one weight per (query, key) pair.")
    return run_check(name, bytes_fn, check)
