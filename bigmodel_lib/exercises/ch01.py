"""Exercises of chapter 01 (background: the model table and the three challenges in numbers)."""
from __future__ import annotations

import math

from . import Result, run_check, verdict


def exercise_1(train_days_fn) -> Result:
    """Days to train: flops / (n_gpus · peak · mfu) / 86400, written by the learner as a function."""
    name = "01.1 training days"

    def check(fn):
        cases = [(3.14e23, 1, 989e12, 0.4), (3.14e23, 1000, 989e12, 0.4), (3.8e25, 16384, 989e12, 0.41),
                 (1e18, 2, 1e12, 0.5)]
        got = [float(fn(*c)) for c in cases]
        want = [f / (n * p * u) / 86400 for f, n, p, u in cases]
        ok = all(math.isclose(g, w, rel_tol=1e-3) for g, w in zip(got, want))
        return verdict(name, ok, "right: FLOPs divided by the delivered rate (devices × peak × MFU), in days.",
                       f"for (flops, n_gpus, peak, mfu) = {cases} you gave {[f'{g:.4g}' for g in got]}, expected "
                       f"{[f'{w:.4g}' for w in want]}. Seconds = flops / (n_gpus · peak · mfu); a day is 86,400 s.")
    return run_check(name, train_days_fn, check)


def exercise_2(doubling_months) -> Result:
    """Doubling time (months) of training compute, from a log-linear fit over the table's rows with compute."""
    name = "01.2 compute doubling time"

    def check(ans):
        from ..models_table import fit_growth, load
        t = load().dropna(subset=["train_flops"])
        want = fit_growth(t["date"], t["train_flops"])["doubling_months"]
        got = float(ans)
        return verdict(name, math.isclose(got, want, rel_tol=0.05),
                       f"right: about {want:.1f} months (fit over {len(t)} rows).",
                       f"you gave {got:.3g} months. Fit log10(train_flops) against `date` with a straight line; "
                       f"the doubling time is 12·log10(2)/slope months.")
    return run_check(name, doubling_months, check)


def exercise_3(model_name) -> Result:
    """The model with the most training tokens per active parameter in the table."""
    name = "01.3 most tokens per parameter"

    def check(ans):
        from ..models_table import load
        t = load()
        ratio = (t["train_tokens"] / t["n_compute"]).dropna()
        best = t.loc[ratio.idxmax(), "name"]
        return verdict(name, str(ans) == best,
                       f"right: {best}, with {ratio.max():.0f} tokens per active parameter.",
                       f"you said {ans!r}. Divide train_tokens by n_compute (active parameters) for every row "
                       f"that has both, and take the largest.")
    return run_check(name, model_name, check)
