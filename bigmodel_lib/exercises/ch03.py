"""Exercises of chapter 03 (attention).

03.1 (Build) is causal multi-head attention from raw weight tensors, checked against torch's
nn.MultiheadAttention; 03.2, 03.3 and 03.4 (Understand) predict a scale, a memory size and one output of the
chapter's three-word example by hand; 03.5 (Explore) designs a head that attends to the previous token.
"""
from __future__ import annotations

import math

import torch

from ..i18n import tr
from . import Result, run_check, verdict

# the chapter's worked example: cat, sat, mat with features animal, place, action, past
EXAMPLE_X = ((1.0, 0.0, 0.0, 0.0), (0.0, 0.0, 1.0, 1.0), (0.0, 1.0, 0.0, 0.0))
EXAMPLE_WQ = ((2.0, 0.0, 0.0, 0.0), (0.0, 2.0, 0.0, 0.0), (2.0, 2.0, 0.0, 0.0), (0.0, 0.0, 0.0, 0.0))


def exercise_1(mha_fn) -> Result:
    """Build: `mha_fn(x, w_in, b_in, w_out, b_out, n_heads)` -> causal multi-head self-attention of x [B, T, d],
    with w_in [3d, d] (W_Q, W_K, W_V stacked as rows, torch's in_proj layout), b_in [3d], w_out [d, d], b_out [d]."""
    name = "03.1 causal multi-head attention from scratch"

    def check(fn):
        g = torch.Generator().manual_seed(31)
        for B, T, d, h in ((2, 5, 8, 2), (1, 7, 12, 3), (3, 4, 16, 4)):
            ref_layer = torch.nn.MultiheadAttention(d, h, batch_first=True)
            with torch.no_grad():
                for p in ref_layer.parameters():
                    p.copy_(torch.randn(p.shape, generator=g) * 0.5)
            x = torch.randn(B, T, d, generator=g)
            future = torch.ones(T, T, dtype=torch.bool).triu(1)       # torch: True = may NOT attend
            with torch.no_grad():
                want = ref_layer(x, x, x, attn_mask=future, need_weights=False)[0]
                args = (x.clone(), ref_layer.in_proj_weight.clone(), ref_layer.in_proj_bias.clone(),
                        ref_layer.out_proj.weight.clone(), ref_layer.out_proj.bias.clone(), h)
                got = fn(*args)
                if isinstance(got, tuple):
                    got = got[0]
                if not isinstance(got, torch.Tensor) or got.shape != want.shape:
                    shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
                    return Result(name, False, tr("for x of shape {x_shape} with {h} heads the output must have "
                                                  "shape {want}, got {shape}.", x_shape=(B, T, d), h=h,
                                                  want=tuple(want.shape), shape=shape))
                if torch.allclose(got, want, atol=1e-4, rtol=1e-4):
                    continue
                no_mask = ref_layer(x, x, x, need_weights=False)[0]
                err = (got - want).abs().max().item()
                if torch.allclose(got, no_mask, atol=1e-4, rtol=1e-4):
                    hint = tr("it matches attention *without* the causal mask: position i may only see keys 0..i")
                elif torch.allclose(got[:, 0], want[:, 0], atol=1e-4) and not torch.allclose(got[:, -1], want[:, -1],
                                                                                              atol=1e-4):
                    hint = tr("the first position is right but later ones are not: check the scale (√ of the *head* "
                              "width d/h, not of d) and that each head sees only its own d/h columns")
                else:
                    hint = tr("likely suspects: splitting heads with view(B, T, h, d/h) and then transpose(1, 2) "
                              "(not a plain view to [B, h, T, d/h]); the scale √(d/h); merging back with "
                              "transpose(1, 2) and reshape(B, T, d) before W_O; F.linear(x, w) computes x @ w.T")
                return Result(name, False, tr("for (B, T, d, heads) = {shape} the output is off by up to "
                                              "{err:.3g}: {hint}.", shape=(B, T, d, h), err=err, hint=hint))
        return verdict(name, True, tr("right, and equal to torch's nn.MultiheadAttention on shapes you had not "
                                      "seen: project, split the width into heads, attend with the causal mask and "
                                      "√(d/h), merge, project out."), "")
    return run_check(name, mha_fn, check)


def exercise_2(scale_fn) -> Result:
    """The learner writes `scale_fn(d_k, sigma)`: the factor that gives q·k unit variance."""
    name = "03.2 the scale for unit variance"

    def check(fn):
        cases = [(64, 1.0), (16, 2.0), (256, 0.5), (1, 3.0)]
        got = [float(fn(d, s)) for d, s in cases]
        want = [1.0 / (s * s * math.sqrt(d)) for d, s in cases]
        ok = all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(got, want))
        return verdict(name, ok, tr("right: Var(q·k) = d_k·σ⁴, so multiply by 1/(σ²·√d_k). With σ = 1 it is the "
                                    "1/√d_k of the formula."),
                       tr("for (d_k, sigma) = {cases} you gave {got}, expected {want}. Each product q_i·k_i has "
                          "variance σ²·σ² = σ⁴; the sum of d_k of them has variance d_k·σ⁴, and scaling by c "
                          "multiplies the variance by c².", cases=cases, got=[round(x, 5) for x in got],
                          want=[round(x, 5) for x in want]))
    return run_check(name, scale_fn, check)


def exercise_3(bytes_fn) -> Result:
    """The learner writes `bytes_fn(batch, heads, T, bytes_per_element)`: memory of stored attention weights."""
    name = "03.3 memory of the attention weights"

    def check(fn):
        cases = [(1, 1, 1024, 4), (8, 12, 2048, 2), (2, 4, 7, 4)]
        got = [fn(*c) for c in cases]
        want = []
        for b, h, t, e in cases:   # the size of a real [b, h, t, t] weight tensor, without allocating it
            w = torch.empty(b, h, t, t, dtype={4: torch.float32, 2: torch.bfloat16}[e], device="meta")
            want.append(w.numel() * w.element_size())
        return verdict(name, got == want, tr("right: one T×T matrix per sequence and head; at 8 sequences, 12 "
                                             "heads and T=2048 in bf16 that is already {gib:.2f} GiB for one layer.",
                                             gib=want[1] / 2**30),
                       tr("for (batch, heads, T, bytes) = {cases} you gave {got}, expected {want}. Every head of "
                          "every sequence stores one weight per (query, key) pair.", cases=cases, got=got, want=want))
    return run_check(name, bytes_fn, check)


def exercise_4(sat_output) -> Result:
    """Understand, by hand: the output row of 'sat' in the chapter's example with the causal mask."""
    name = "03.4 one output by hand"

    def check(ans):
        import torch.nn.functional as F
        x = torch.tensor(EXAMPLE_X)
        q, k, v = x @ torch.tensor(EXAMPLE_WQ), x, x
        want = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=True)[0, 1]
        got = torch.as_tensor(ans, dtype=torch.float32).flatten()
        if got.numel() != 4:
            return Result(name, False, tr("give the 4 numbers of the output row, got {n}.", n=got.numel()))
        if torch.allclose(got, want, atol=0.01):
            return verdict(name, True, tr("right: {want}. 'sat' may see 'cat' and itself; scaled scores 1 and 0 "
                                          "give weights e/(e+1) ≈ 0.73 and 1/(e+1) ≈ 0.27, and the output mixes "
                                          "their value rows.", want=[round(v, 2) for v in want.tolist()]), "")
        unmasked = F.scaled_dot_product_attention(q[None], k[None], v[None])[0, 1]
        unscaled = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=True, scale=1.0)[0, 1]
        hint = tr("scores q·k, divide by √d_k = 2, softmax over the keys 'sat' may see, then mix the value rows")
        if torch.allclose(got, unmasked, atol=0.01):
            hint = tr("that is the row without the mask: 'sat' must not see 'mat', which comes after it")
        elif torch.allclose(got, unscaled, atol=0.01):
            hint = tr("that forgets to divide the scores by √d_k = 2")
        return Result(name, False, tr("you gave {got}: {hint}.", got=[round(v, 2) for v in got.tolist()], hint=hint))
    return run_check(name, sat_output, check)


def exercise_5(make_weights) -> Result:
    """Explore: `make_weights()` -> (W_Q, W_K), each 8×8, such that with one-hot position embeddings X = I_8 and
    the causal mask, every query i >= 1 puts at least 0.8 of its weight on key i-1 (a previous-token head)."""
    name = "03.5 a previous-token head"

    def check(fn):
        out = fn()
        if not (isinstance(out, tuple) and len(out) == 2):
            return Result(name, False, tr("make_weights() must return a tuple (W_Q, W_K)."))
        wq, wk = (torch.as_tensor(w, dtype=torch.float32) for w in out)
        if wq.shape != (8, 8) or wk.shape != (8, 8):
            return Result(name, False, tr("W_Q and W_K must be 8×8, got {wq} and {wk}.", wq=tuple(wq.shape),
                                          wk=tuple(wk.shape)))
        x = torch.eye(8)
        scores = (x @ wq) @ (x @ wk).T / math.sqrt(8)
        scores = scores.masked_fill(~torch.ones(8, 8, dtype=torch.bool).tril(), float("-inf"))
        w = torch.softmax(scores, dim=-1)
        prev = torch.stack([w[i, i - 1] for i in range(1, 8)])
        worst = int(prev.argmin()) + 1
        ok = bool((prev >= 0.8).all())
        return verdict(name, ok,
                       tr("done: every query puts at least {least:.2f} on the token before it (the hardest row, "
                          "position {worst}, has the most competitors). Chapter 06 asks what looking at attention "
                          "maps like this one can and cannot explain.", least=float(prev.min()), worst=worst),
                       tr("the weight on the previous token is {prev} for positions 1..7; position {worst} is the "
                          "weakest. Row i's query must match key i-1 far better than the other i keys it may see: "
                          "think about which matrix shifts a one-hot vector by one place, and how large the scores "
                          "must be for the softmax to pick one key among eight.",
                          prev=[round(v, 2) for v in prev.tolist()], worst=worst))
    return run_check(name, make_weights, check)
