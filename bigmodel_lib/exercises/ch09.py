"""Exercises of chapter 09 (distributed training): ZeRO memory, accumulation steps, a tensor-parallel MLP by
hand, and a pipeline whose idle share you bring down."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..i18n import tr
from . import Result, run_check, verdict


def exercise_1(zero2_bytes_fn) -> Result:
    """Per-device bytes of model states under ZeRO-2: the learner writes `zero2_bytes_fn(n_params, n_devices)`."""
    def check(fn):
        cases = [(7e9, 8), (1e9, 1), (70e9, 64), (1.4e9, 4)]
        got = [float(fn(p, n)) for p, n in cases]
        want = [2 * p + 14 * p / n for p, n in cases]
        ok = all(math.isclose(g, w, rel_tol=1e-6) for g, w in zip(got, want))
        hint = ""
        if not ok and math.isclose(got[0], 16 * cases[0][0] / cases[0][1], rel_tol=1e-6):
            hint = tr(" You divided all 16 bytes by N: that is stage 3, where the weights are sharded too.")
        elif not ok and math.isclose(got[0], 4 * cases[0][0] + 12 * cases[0][0] / cases[0][1], rel_tol=1e-6):
            hint = tr(" You sharded only the optimizer state: that is stage 1; stage 2 shards the gradients as "
                      "well.")
        return verdict("09.1 ZeRO-2 memory", ok,
                       tr("right: the bf16 weights (2 B) stay replicated; gradients (2 B) and the fp32 optimizer "
                          "state (12 B) are split over the devices: 2Ψ + 14Ψ/N."),
                       tr("for (n_params, n_devices) = {cases} you gave {got}, expected {want}.{hint} Which of the "
                          "16 bytes per parameter does stage 2 shard, and which stay on every device?",
                          cases=cases, got=got, want=want, hint=hint))
    return run_check("09.1 ZeRO-2 memory", zero2_bytes_fn, check)


def exercise_2(accum_steps) -> Result:
    """8 GPUs × micro-batch 4 × 2 accumulation steps = 64 sequences; one GPU with micro-batch 8 needs 8 steps."""
    def check(n):
        ok = not isinstance(n, bool) and isinstance(n, int) and n == 8
        hint = ""
        if n == 2:
            hint = tr(" 2 keeps the accumulation steps of each GPU, but the single GPU must also do the other 7 "
                      "GPUs' work.")
        elif n == 16:
            hint = tr(" 16 would be right for micro-batches of 4; this GPU takes 8 sequences per micro-batch.")
        return verdict("09.2 accumulation steps", ok,
                       tr("right: the global batch is 8 × 4 × 2 = 64 sequences, and 64 / 8 = 8 micro-batches."),
                       tr("you said {n!r}.{hint} Compute the global batch first (devices × micro-batch × "
                          "accumulation steps), then divide by the single GPU's micro-batch; the answer is an int.",
                          n=n, hint=hint))
    return run_check("09.2 accumulation steps", accum_steps, check)


def _reference(x, w1, b1, w2, b2):
    return F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)


def exercise_3(tp_mlp_partials) -> Result:
    """`tp_mlp_partials(x, w1, b1, w2, b2, world)`: the list of each rank's partial output of a tensor-parallel MLP.

    Rank r may use only its block of hidden units (rows r of w1 and b1 in torch's [out, in] layout, columns r
    of w2); the partials must sum, plus b2, to the unsplit MLP F.linear(gelu(F.linear(x, w1, b1)), w2, b2).
    """
    name = "09.3 tensor-parallel MLP by hand"

    def check(fn):
        g = torch.Generator().manual_seed(9)
        for d, d_ff, world, shape in [(6, 12, 2, (3, 6)), (4, 16, 4, (2, 5, 4)), (8, 24, 3, (7, 8))]:
            x = torch.randn(*shape, generator=g, dtype=torch.float64)
            def rnd(*shape):
                return torch.randn(*shape, generator=g, dtype=torch.float64)
            w1, b1, w2, b2 = rnd(d_ff, d), rnd(d_ff), rnd(d, d_ff), rnd(d)
            parts = list(fn(x, w1, b1, w2, b2, world))
            want = _reference(x, w1, b1, w2, b2)
            if len(parts) != world:
                return Result(name, False, tr("with world={world} return a list of {world} partial outputs, "
                                              "got {n}", world=world, n=len(parts)))
            total = sum(parts) + b2
            if not torch.allclose(total, want, atol=1e-8):
                if torch.allclose(sum(parts), want, atol=1e-8):
                    return Result(name, False, tr("your partials already contain b2 once; leave it out of them: "
                                                  "the caller adds b2 once, after the all-reduce."))
                if torch.allclose(sum(parts) + (1 - world) * b2, want, atol=1e-8):
                    return Result(name, False, tr("every partial adds b2, so the all-reduce sums it world times; "
                                                  "leave b2 out of the partials (it is added once after the sum)."))
                return Result(name, False, tr("for d={d}, d_ff={d_ff}, world={world} the partials plus b2 differ "
                                              "from the unsplit MLP by {diff:.3g}. Split w1 and b1 by rows (hidden "
                                              "units), w2 by columns, apply GELU to each block before multiplying "
                                              "(GELU is not linear, so it cannot wait for the sum).",
                                              d=d, d_ff=d_ff, world=world, diff=float((total - want).abs().max())))
            # each partial must depend only on its own block of hidden units
            blk = d_ff // world
            for r in range(world):
                w1b = w1.clone()
                other = torch.ones(d_ff, dtype=torch.bool)
                other[r * blk:(r + 1) * blk] = False
                w1b[other] += 1.0
                again = list(fn(x, w1b, b1, w2, b2, world))[r]
                if not torch.allclose(again, parts[r], atol=1e-8):
                    return Result(name, False, tr("rank {r}'s partial changed when only OTHER ranks' rows of w1 "
                                                  "changed: each rank must compute from its own block alone "
                                                  "(rows {first}..{last} of w1).",
                                                  r=r, first=r * blk, last=(r + 1) * blk - 1))
        return verdict(name, True, tr("right: column-split W1 and row-split W2 need no communication in between, "
                                      "because GELU acts on each hidden unit separately; one sum at the end gives "
                                      "the MLP."), "")
    return run_check(name, tp_mlp_partials, check)


def exercise_4(pipeline_result) -> Result:
    """Explore: a pipeline run (the JSON dict of bigmodel_lib.pipeline) whose measured idle share is <= 0.35 while
    loss and gradients still equal one process's."""
    name = "09.4 shrink the bubble"

    def check(r):
        if not isinstance(r, dict) or "ranks" not in r:
            return Result(name, False, tr("pass the dict that launch_module('bigmodel_lib.pipeline', ...) "
                                          "returned"))
        last = r["ranks"][-1]
        best_m, best = min(((m, t["idle_fraction"]) for m, t in last["timing"].items()), key=lambda kv: kv[1])
        eq_ok = all(e["grad_max_diff"] < 1e-5 for rank in r["ranks"] for e in rank["equality"].values())
        loss_ok = all(abs(e["loss"] - last["ref_loss"]) < 1e-5 for e in last["equality"].values())
        if not (eq_ok and loss_ok):
            return Result(name, False, tr("the run's loss or gradients no longer equal one process's: a schedule "
                                          "may reorder the work, never change it."))
        return verdict(name, best <= 0.35,
                       tr("reached: {best:.2f} idle with {m} micro-batches (GPipe's formula says {formula:.2f}); "
                          "what is left above the formula is the fixed cost of every micro-batch (sending, Python, "
                          "small matrices).", best=best, m=best_m, formula=last['timing'][best_m]['bubble_formula']),
                       tr("the lowest idle share in this run is {best:.2f} (m={m}). More micro-batches shrink the "
                          "bubble, but each pays a fixed cost; make each micro-batch bigger (--batch) as you raise m.",
                          best=best, m=best_m))
    return run_check(name, pipeline_result, check)
