"""Exercises of chapter 10 (quantization): per-channel absmax by hand, rounding error, model sizes, and an
explore task below int8 (bits and group size against a loss budget)."""
from __future__ import annotations

import math
import warnings

import torch

from ..i18n import tr
from . import Result, run_check, verdict


def exercise_1(quantize_fn) -> Result:
    """Per-channel absmax int8: the learner writes `quantize_fn(w) -> (q int8, scale)` with one scale per row."""
    name = "10.1 per-channel absmax"

    def check(fn):
        g = torch.Generator().manual_seed(10)
        for rows, cols in ((12, 20), (5, 33), (1, 7)):
            w = torch.randn(rows, cols, generator=g)
            w[rows // 2] *= 50.0
            out = fn(w.clone())
            if not (isinstance(out, tuple) and len(out) == 2):
                return Result(name, False, tr("return a tuple (q, scale), got {type_name}",
                                              type_name=type(out).__name__))
            q, s = out
            if not isinstance(q, torch.Tensor) or q.dtype != torch.int8 or q.shape != w.shape:
                got = f"{q.dtype} {tuple(q.shape)}" if isinstance(q, torch.Tensor) else type(q).__name__
                return Result(name, False, tr("q must be an int8 tensor of shape {shape}, got {got}",
                                              shape=tuple(w.shape), got=got))
            s = torch.as_tensor(s, dtype=torch.float32).reshape(-1)
            if s.numel() != rows:
                return Result(name, False, tr("per-channel means one scale per row: {rows} scales, got {n}."
                                              " Reduce |w| with amax over the last dimension (keepdim=True).",
                                              rows=rows, n=s.numel()))
            # independent reference: PyTorch's own symmetric per-channel quantizer, with the absmax scales
            ref_scale = w.abs().amax(dim=1).double() / 127
            if not torch.allclose(s.double(), ref_scale, rtol=1e-5):
                return Result(name, False, tr("your scales differ from max|row| / 127 (first row: {got:.4g} "
                                              "vs {want:.4g}). Divide each row's largest |value| by 127.",
                                              got=float(s[0]), want=float(ref_scale[0])))
            with warnings.catch_warnings():   # torch marks its quantized-tensor API deprecated; it still works
                warnings.simplefilter("ignore")
                ref = torch.quantize_per_channel(w, ref_scale, torch.zeros(rows, dtype=torch.long), 0,
                                                 torch.qint8).int_repr()
            bad = int((q != ref).sum())
            if bad:
                return Result(name, False, tr("{bad} of {n} values differ from torch.quantize_per_channel "
                                              "on a {rows}x{cols} matrix. Use q = round(w / scale), then clamp to "
                                              "[-127, 127]; do not truncate with .to(torch.int8) before rounding.",
                                              bad=bad, n=q.numel(), rows=rows, cols=cols))
        return Result(name, True, tr("right, and equal to torch.quantize_per_channel: each row's largest |value| "
                                     "maps to 127, so the outlier row no longer coarsens the grid of the others."))
    return run_check(name, quantize_fn, check)


def exercise_2(max_error) -> Result:
    """Largest rounding error of per-tensor absmax int8 on a tensor whose largest |value| is 2.54."""
    def check(v):
        want = 2.54 / 127 / 2
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isclose(v, want, rel_tol=1e-3)
        return verdict("10.2 rounding error", ok,
                       tr("right: the grid step is 2.54 / 127 = {step:.3g}, and rounding to the nearest "
                          "point is off by at most half a step, {want:.3g}.", step=2.54 / 127, want=want),
                       tr("you said {v}. The step between grid points is absmax / 127; how far can a value be "
                          "from the nearest point?", v=repr(v)))
    return run_check("10.2 rounding error", max_error, check)


def exercise_3(sizes_gb) -> Result:
    """Weights of a 7-billion-parameter model in GB (1e9 bytes) at (bf16, int8, int4)."""
    def check(v):
        want = (14.0, 7.0, 3.5)
        ok = isinstance(v, (tuple, list)) and len(v) == 3 and all(
            isinstance(a, (int, float)) and math.isclose(a, b, rel_tol=1e-3) for a, b in zip(v, want))
        return verdict("10.3 model sizes", ok,
                       tr("right: 2, 1 and 0.5 bytes per parameter: 14, 7 and 3.5 GB (weights only; the "
                          "activations and the KV cache come on top)."),
                       tr("you said {v}; give a tuple of three numbers in GB: bits per parameter / 8 × 7e9 / 1e9.",
                          v=repr(v)))
    return run_check("10.3 model sizes", sizes_gb, check)


def _bits_per_weight(bits: int, group_size: int | None, cols: int) -> float:
    return bits + 16 / (cols if group_size is None else group_size)


def exercise_4(choice, model, data) -> Result:
    """Explore: (bits, group_size) for the block Linear weights with |Δ val loss| < 0.03 nats at <= 3 bits/weight.

    The checker copies the model, rounds every Linear weight inside `model.blocks` with
    `quantize.fake_quantize(w, bits, group_size)` and evaluates the loss on the chapter's 10 validation batches.
    """
    name = "10.4 below int8"

    def check(ch):
        import copy

        from ..quantize import fake_quantize
        from ..train import TrainConfig, evaluate
        if not (isinstance(ch, (tuple, list)) and len(ch) == 2):
            return Result(name, False, tr("give a pair (bits, group_size), got {got}", got=repr(ch)))
        bits, group = ch
        if isinstance(bits, bool) or not isinstance(bits, int) or not 2 <= bits <= 8:
            return Result(name, False, tr("bits must be an int in 2..8, got {got}", got=repr(bits)))
        cpu = torch.device("cpu")
        m = copy.deepcopy(model).to(cpu).eval()
        linears = [mod for mod in m.blocks.modules() if isinstance(mod, torch.nn.Linear)]
        for lin in linears:
            if group is not None and lin.weight.shape[1] % group:
                return Result(name, False, tr("group_size {group} must divide every row length ({lengths})",
                                              group=group,
                                              lengths=sorted({mod.weight.shape[1] for mod in linears})))
        cfg = TrainConfig(steps=1, eval_batches=10, seed=0, device="cpu", progress=False)
        base = evaluate(m, data, cfg, cpu)
        n_w = sum(lin.weight.numel() for lin in linears)
        bits_w = sum(_bits_per_weight(bits, group, lin.weight.shape[1]) * lin.weight.numel() for lin in linears) / n_w
        with torch.no_grad():
            for lin in linears:
                lin.weight.copy_(fake_quantize(lin.weight, bits, group))
        loss = evaluate(m, data, cfg, cpu)
        d = loss - base
        ok = abs(d) < 0.03 and bits_w <= 3.0
        msg = tr("bits={bits}, group_size={group}: {bits_w:.2f} bits per weight, loss {base:.4f} -> {loss:.4f} "
                 "({d:+.4f} nats). ", bits=bits, group=group, bits_w=bits_w, base=base, loss=loss, d=d)
        if ok:
            return Result(name, True, msg + tr("Goal met: small groups follow the local range of the weights, so "
                                               "even 3 levels per sign can be enough; each group's scale is the "
                                               "price."))
        hint = (tr("too many bits: lower the bits or use larger groups (fewer scales).") if bits_w > 3.0 else
                tr("the loss moved too much: try smaller groups, or one more bit."))
        return Result(name, False, msg + hint)
    return run_check(name, choice, check)
