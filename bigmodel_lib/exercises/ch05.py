"""Exercises of chapter 05 (training time): predict how FLOPs grow with the context, count the FLOPs of a
training step from scratch (checked against torch's FLOP counter), and find a model shape that uses the
machine better (checked by timing it)."""
from __future__ import annotations

import math
import statistics

import torch
import torch.nn as nn

from ..i18n import tr
from . import Result, run_check, verdict

# GPT-2 small (Radford et al. 2019): 12 layers, d = 768, vocabulary 50,257, tied output head.
GPT2 = {"n_layer": 12, "d_model": 768, "vocab_size": 50257}


def _gpt2_per_token(context: int) -> float:
    """6·N + 12·L·d·T with N = 12·L·d² + V·d, written out independently of bigmodel_lib.compute."""
    L, d, V = GPT2["n_layer"], GPT2["d_model"], GPT2["vocab_size"]
    n = 12 * L * d * d + V * d
    return 6 * n + 12 * L * d * context


def exercise_1(ratio) -> Result:
    """How many times more training FLOPs per token does GPT-2 small need at a context of 8192 than at 1024?"""
    name = "05.1 FLOPs per token when the context grows"

    def check(v):
        v = float(v)
        want = _gpt2_per_token(8192) / _gpt2_per_token(1024)
        if math.isclose(v, want, rel_tol=0.02):
            return verdict(name, True, tr("right: {want:.2f}×. 6N = {six_n:.3g} does not "
                                          "depend on the context; only the attention term 12·L·d·T grows 8×, from "
                                          "{short:.3g} to {long:.3g}.", want=want,
                                          six_n=6 * (_gpt2_per_token(0) / 6), short=12 * 12 * 768 * 1024,
                                          long=12 * 12 * 768 * 8192), "")
        if math.isclose(v, 8, rel_tol=0.02):
            return verdict(name, False, "", tr("8× would hold if every FLOP depended on the context. The 6N part (the "
                                               "weights) costs the same per token at any context; only 12·L·d·T "
                                               "grows."))
        if math.isclose(v, 1, rel_tol=0.02):
            return verdict(name, False, "", tr("1× would hold for 6N alone; the attention term 12·L·d·T grows with "
                                               "T."))
        return verdict(name, False, "", tr("you gave {v:.3g}. Compute 6N + 12·L·d·T for T = 8192 and T = 1024 with "
                                           "N = 12·L·d² + V·d (the tied head counts once) and divide.", v=v))
    return run_check(name, ratio, check)


def _mlp(widths: list[int], seed: int) -> nn.Sequential:
    g = torch.Generator().manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        lin = nn.Linear(a, b, bias=False)
        with torch.no_grad():
            lin.weight.copy_(torch.randn(b, a, generator=g) / math.sqrt(a))
        layers.append(lin)
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _counted_training_flops(widths: list[int], batch: int) -> int:
    """torch's FlopCounterMode over one forward and backward pass of the bias-free MLP (input needs no grad)."""
    from torch.utils.flop_counter import FlopCounterMode
    model = _mlp(widths, seed=len(widths) + batch)
    x = torch.randn(batch, widths[0])
    with FlopCounterMode(display=False) as counter:
        model(x).square().mean().backward()
    return counter.get_total_flops()


def exercise_2(flops_fn) -> Result:
    """mlp_training_flops(widths, batch): FLOPs of one forward + backward pass of a bias-free MLP."""
    name = "05.2 FLOPs of a training step, from scratch"

    def check(fn):
        cases = [([3, 5, 2], 4), ([16, 64, 64, 10], 7), ([100, 1], 3), ([8, 32, 32, 32, 4], 1)]
        wrong = []
        for widths, batch in cases:
            got, want = fn(list(widths), batch), _counted_training_flops(widths, batch)
            if got != want:
                wrong.append((widths, batch, got, want))
        if not wrong:
            return verdict(name, True, tr("right, and exactly what torch's FLOP counter measured: 2 FLOPs per weight "
                                          "and example forward, 2 for the weight's gradient, and 2 for the gradient "
                                          "of each layer's input, except the first layer's, whose input needs no "
                                          "gradient."), "")
        widths, batch, got, want = wrong[0]
        n = sum(a * b for a, b in zip(widths[:-1], widths[1:]))
        hint = ""
        if got == 6 * n * batch:
            hint = tr(" You counted 6 per weight everywhere: the first layer's input x needs no gradient, so "
                      "that layer skips the product for ∂L/∂x and costs 4, not 6.")
        elif got == 2 * n * batch:
            hint = tr(" That is the forward pass only: the backward pass adds two products per layer.")
        elif got == 3 * n * batch or got == n * batch:
            hint = tr(" Count a multiply and an add as 2 FLOPs: an [m, k] @ [k, n] product costs 2·m·k·n.")
        return verdict(name, False, "", tr("{wrong} of {cases} cases wrong; for widths {widths}, batch "
                                           "{batch} you gave {got}, torch counted {want}.{hint}", wrong=len(wrong),
                                           cases=len(cases), widths=widths, batch=batch, got=got, want=want,
                                           hint=hint))
    return run_check(name, flops_fn, check)


def _step_rate(shape: dict, vocab: int = 65, seed: int = 0):
    """A training step (forward, backward, AdamW) of the library's GPT with `shape`; returns (step, flops)."""
    from ..compute import gpt_flops_per_token
    from ..models import GPT, GPTConfig
    torch.manual_seed(seed)
    m = GPT(GPTConfig(vocab_size=vocab, block_size=shape["block_size"], n_layer=shape["n_layer"],
                      n_head=shape.get("n_head", 4), d_model=shape["d_model"]))
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, vocab, (shape["batch"], shape["block_size"]), generator=g)

    def step():
        loss = m(x, x)[1]
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    return step, gpt_flops_per_token(m) * x.numel()


BASELINE = {"n_layer": 2, "d_model": 128, "block_size": 32, "batch": 32, "n_head": 4}
MAX_STEP_FLOPS = 3e10


def exercise_3(shape, baseline: dict | None = None, goal: float = 1.1) -> Result:
    """Find a GPT shape whose training step gets at least `goal` × the FLOP/s of the chapter's model A (timed here,
    on one CPU thread in CPU seconds, or in wall seconds on a GPU), within a budget of 3e10 FLOPs per step."""
    name = "05.3 use the machine better"

    def check(s):
        from ..compute import cpu_threads, time_fn
        need = {"n_layer", "d_model", "block_size", "batch"}
        if not isinstance(s, dict) or not need <= set(s):
            return verdict(name, False, "", tr("give a dict with the keys {keys} (and optionally n_head).",
                                               keys=sorted(need)))
        if s["d_model"] % s.get("n_head", 4):
            return verdict(name, False, "", tr("d_model must be divisible by n_head (4 unless you give n_head)."))
        step, flops = _step_rate(s)
        if flops > MAX_STEP_FLOPS:
            return verdict(name, False, "", tr("one step of that shape is {flops:.2g} FLOPs, over the budget of "
                                               "{budget:.0g}: make it smaller (fewer layers, a shorter T or "
                                               "batch).", flops=flops, budget=MAX_STEP_FLOPS))
        base_step, base_flops = _step_rate(baseline or BASELINE)
        dev = "cuda" if torch.cuda.is_available() else "cpu"
        clock = "cpu" if dev == "cpu" else "wall"
        mine, base = [], []
        with cpu_threads(1) if dev == "cpu" else _nothing():
            for _ in range(3):                      # interleaved, so a busy moment hits both alike
                base.append(time_fn(base_step, repeats=3, warmup=1, clock=clock))
                mine.append(time_fn(step, repeats=3, warmup=1, clock=clock))
        r_mine, r_base = flops / statistics.median(mine), base_flops / statistics.median(base)
        ratio = r_mine / r_base
        return verdict(name, ratio >= goal,
                       tr("right: {mine:.1f} GFLOP/s against model A's {base:.1f}, {ratio:.2f}× "
                          "(goal {goal}×). Wider matrices do more arithmetic per number read from memory and per "
                          "Python call.", mine=r_mine / 1e9, base=r_base / 1e9, ratio=ratio, goal=goal),
                       tr("{mine:.1f} GFLOP/s against model A's {base:.1f}: {ratio:.2f}×, the goal is "
                          "{goal}×. What makes a matrix product efficient: large d_model (wide products), enough "
                          "rows (batch × block_size); a long context moves work into attention, which is less "
                          "efficient here.", mine=r_mine / 1e9, base=r_base / 1e9, ratio=ratio, goal=goal))
    return run_check(name, shape, check)


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
