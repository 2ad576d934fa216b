"""Exercises of chapter 01 (background: the model table and the three challenges in numbers).

01.1 and 01.3 (Understand) read numbers off the table; 01.2 (Explore) extrapolates the pre-2022 trend to a
2024 model; 01.4 (Build) counts a training step's FLOPs and is checked against torch's FLOP counter.
"""
from __future__ import annotations

import math

from ..i18n import tr
from . import Result, run_check, verdict


def exercise_1(days) -> Result:
    """Days to train GPT-3 (its reported FLOPs) on 1,024 A100s at 50% MFU, assuming perfect scaling."""
    name = "01.1 training days"

    def check(ans):
        from ..compute import GPUS
        from ..models_table import model_summary
        flops = model_summary("GPT-3 175B")["train_flops"]
        peak = GPUS["A100"]["peak_flops"]
        want = flops / (1024 * peak * 0.5) / 86400
        got = float(ans)
        hint = ""
        if math.isclose(got, want / 2, rel_tol=0.02):
            hint = tr(" That is the time at 100% utilisation: divide by the MFU too.")
        elif math.isclose(got, want * 24, rel_tol=0.02):
            hint = tr(" That is hours, not days.")
        elif math.isclose(got, want * peak / GPUS["H100"]["peak_flops"], rel_tol=0.02):
            hint = tr(" That uses the H100's peak; the question is about A100s.")
        return verdict(name, math.isclose(got, want, rel_tol=0.02),
                       tr("right: {flops:.3g} FLOP / (1,024 × {peak:.3g} FLOP/s × 0.5) ≈ {want:.1f} days.",
                          flops=flops, peak=peak, want=want),
                       tr("you gave {got:.4g} days.{hint} Seconds = FLOPs / (GPUs × peak × MFU); the A100's peak "
                          "is compute.GPUS['A100']['peak_flops']; a day has 86,400 s.", got=got, hint=hint))
    return run_check(name, days, check)


def exercise_2(predict_fn) -> Result:
    """Explore: a function that sees only models released before 2022 and predicts a 2024 model's compute."""
    name = "01.2 predict 2024 from the past"

    def check(fn):
        from ..models_table import fit_growth, load
        table = load()
        past = table[table["date"] < 2022].copy()
        target = table[table["name"] == "Llama 3.1 405B"].iloc[0]
        got = float(fn(past.copy(), float(target["date"])))
        actual = float(target["train_flops"])
        rows = past.dropna(subset=["train_flops"])
        f = fit_growth(rows["date"], rows["train_flops"])
        naive = 10 ** (f["slope"] * target["date"] + f["intercept"])
        ratio = got / actual
        ok = 0.25 <= ratio <= 4
        return verdict(name, ok,
                       tr("within a factor of 4: you predicted {got:.3g} FLOP, Llama 3.1 405B reports {actual:.3g} "
                          "({ratio:.2f}×). The plain fit over every pre-2022 compute value says {naive:.3g} "
                          "({over:.0f}× too much): which rows you fit, and what you fit, moves a "
                          "three-year extrapolation by orders of magnitude.",
                          got=got, actual=actual, ratio=ratio, naive=naive, over=naive / actual),
                       tr("you predicted {got:.3g} FLOP, {ratio:.3g}× the reported {actual:.3g}; the goal is a "
                          "factor of 4 either way. Try other choices: which years to fit, the compute column or "
                          "6·N·D from separate fits of parameters and tokens.", got=got, ratio=ratio, actual=actual))
    return run_check(name, predict_fn, check)


def exercise_3(model_name) -> Result:
    """The model with the most training tokens per active parameter in the table."""
    name = "01.3 most tokens per parameter"

    def check(ans):
        from ..models_table import load
        t = load()
        ratio = (t["train_tokens"] / t["n_compute"]).dropna()
        best = t.loc[ratio.idxmax(), "name"]
        hint = ""
        if str(ans) in set(t["name"]):
            r = ratio.get(t.index[t["name"] == str(ans)][0])
            if r is not None and not math.isnan(r):
                hint = tr(" {ans} has {r:.0f} tokens per active parameter.", ans=ans, r=r)
            if str(ans) == "DeepSeek-V3":
                hint += tr(" It saw the most tokens per *active* parameter of the MoE models, but not overall.")
        return verdict(name, str(ans) == best,
                       tr("right: {best}, with {most:.0f} tokens per active parameter: a small model trained "
                          "far past the ~20 tokens per parameter of Chinchilla, because it is cheap to run afterwards.",
                          best=best, most=ratio.max()),
                       tr("you said {ans!r}.{hint} Divide train_tokens by n_compute (active parameters) for every "
                          "row that has both, and take the largest.", ans=ans, hint=hint))
    return run_check(name, model_name, check)


def _torch_step_matmul_flops(n_layer: int, d_model: int, vocab_size: int, seq_len: int) -> float:
    """Matmul FLOPs per token of one forward+backward pass of bigmodel_lib's GPT, counted by torch
    (the weight products only: aten.mm and aten.addmm; attention's score products are left out)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from ..models import GPT, GPTConfig
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=vocab_size, block_size=seq_len, n_layer=n_layer, n_head=2, d_model=d_model))
    x = torch.randint(0, vocab_size, (2, seq_len))
    counter = FlopCounterMode(display=False)
    with counter:
        _, loss = model(x, x)
        loss.backward()
    counts = counter.get_flop_counts().get("Global", {})
    total = sum(v for k, v in counts.items() if str(k).split(".")[-1] in ("mm", "addmm"))
    return total / x.numel()


def exercise_4(flops_fn) -> Result:
    """Build: training FLOPs per token of the weight products, 6·(12·L·d² + V·d), against torch's counter."""
    name = "01.4 training FLOPs per token"

    def check(fn):
        cases = [(1, 16, 10, 8), (2, 32, 50, 16), (3, 24, 7, 12)]   # L, d, V, T
        for L, d, V, T in cases:
            want = _torch_step_matmul_flops(L, d, V, T)
            got = float(fn(L, d, V))
            if not math.isclose(got, want, rel_tol=1e-9):
                n_blocks, n_head = 12 * L * d * d, V * d
                if math.isclose(got, want / 3, rel_tol=1e-9):
                    hint = tr("that is the forward pass only; the backward pass costs twice as much again")
                elif math.isclose(got, 6 * n_blocks, rel_tol=1e-9):
                    hint = tr("the output head is a matrix product too (V·d weights, shared with the embedding)")
                elif math.isclose(got, 6 * (n_blocks + 2 * n_head), rel_tol=1e-9):
                    hint = tr("the embedding lookup is not a product (it copies rows); only the head multiplies")
                else:
                    hint = tr("per token, each weight takes part in one multiply-add forward (2 FLOPs) and two "
                              "backward (4 FLOPs)")
                return Result(name, False, tr("for n_layer={L}, d_model={d}, vocab_size={V} you gave {got:.6g}, "
                                              "torch counts {want:.6g} FLOPs per token: {hint}.",
                                              L=L, d=d, V=V, got=got, want=want, hint=hint))
        return verdict(name, True, tr("right, and torch's FLOP counter agrees on models you had not seen: 6 FLOPs "
                                      "per token for every weight that takes part in a product, 12·L·d² in the "
                                      "blocks plus V·d in the head. Biases, LayerNorms and the position embedding "
                                      "are not products, so the N in 6·N·D is the weights of the matrix products."),
                       "")
    return run_check(name, flops_fn, check)
