"""Exercises of chapter 12 (FAQ: poor interpretability): scoring an explanation against the truth."""
from __future__ import annotations

import numpy as np
import torch

from ..i18n import tr
from . import Result, run_check, verdict


def _reference_precision(scores: np.ndarray, marker: np.ndarray) -> float:
    k = int(marker.sum())
    top = np.argsort(-scores, kind="stable")[:k]
    return float(marker[top].mean())


def exercise_1(topk_precision_fn) -> Result:
    """my_topk_precision(scores, marker) for one unpadded example, k = number of markers."""
    def check(fn):
        rng = np.random.default_rng(0)
        cases = [(np.array([0.1, 0.9, 0.5, 0.0]), np.array([False, True, True, False])),
                 (np.array([0.1, 0.9, 0.5, 0.0]), np.array([True, False, False, True])),
                 (np.array([-2.0, 1.0, -0.5]), np.array([True, False, False]))]
        for _ in range(20):
            n = int(rng.integers(5, 15))
            mk = np.zeros(n, bool)
            mk[rng.choice(n, int(rng.integers(1, 4)), replace=False)] = True
            cases.append((rng.normal(size=n) + 1.5 * mk * rng.random(), mk))
        for s, mk in cases:
            got, want = float(fn(s.copy(), mk.copy())), _reference_precision(s, mk)
            if abs(got - want) > 1e-9:
                return verdict("12.1 top-k precision", False, "",
                               tr("for scores {scores} and markers {markers} you gave {got}, expected {want}. Sort "
                                  "by score (highest first), keep as many tokens as there are markers, and count how "
                                  "many of those are markers. Use the signed score, not |score|.",
                                  scores=np.round(s, 2).tolist(), markers=mk.astype(int).tolist(), got=got,
                                  want=want))
        return verdict("12.1 top-k precision", True, tr("right on {n} cases: a perfect ranking puts every "
                                                        "marker in the top k and scores 1.", n=len(cases)), "")
    return run_check("12.1 top-k precision", topk_precision_fn, check)


def _reference_curve(prob_fn, x: torch.Tensor, scores: np.ndarray, steps: int) -> list[float]:
    order = np.argsort(-np.asarray(scores), kind="stable")
    rows = []
    for r in range(steps + 1):
        xr = x.clone()
        xr[torch.from_numpy(order[:r].copy())] = 0
        rows.append(xr)
    return [float(v) for v in prob_fn(torch.stack(rows))]


def exercise_2(deletion_curve_fn) -> Result:
    """my_deletion_curve(prob_fn, x, scores, steps) -> steps + 1 probabilities."""
    def check(fn):
        weights = torch.linspace(0.1, 1.0, 30)

        def prob_fn(batch: torch.Tensor) -> np.ndarray:   # a toy "model": a sigmoid of weighted token ids
            if batch.ndim != 2:
                raise ValueError(f"prob_fn expects a [N, T] batch of ids, got shape {tuple(batch.shape)}")
            return torch.sigmoid((weights[batch] * (batch != 0)).sum(1) - 3.0).numpy()

        rng = np.random.default_rng(1)
        for trial in range(5):
            n = int(rng.integers(6, 12))
            x = torch.from_numpy(rng.integers(1, 30, n)).long()
            scores = rng.normal(size=n)
            steps = int(rng.integers(1, 5))
            got = [float(v) for v in fn(prob_fn, x.clone(), scores.copy(), steps)]
            want = _reference_curve(prob_fn, x, scores, steps)
            if len(got) != len(want) or not np.allclose(got, want, atol=1e-6):
                return verdict("12.2 deletion curve", False, "",
                               tr("for x = {x}, scores = {scores}, steps = {steps} you gave {got}, expected {want}. "
                                  "The first value is the untouched input; the r-th has the r highest-scored tokens "
                                  "set to 0.", x=x.tolist(), scores=np.round(scores, 2).tolist(), steps=steps,
                                  got=np.round(got, 4).tolist(), want=np.round(want, 4).tolist()))
        return verdict("12.2 deletion curve", True, tr("right: the curve starts at p(x) and each step removes the "
                                                       "next most important token; a faithful ranking makes it "
                                                       "fall fast."), "")
    return run_check("12.2 deletion curve", deletion_curve_fn, check)


def exercise_3(value) -> Result:
    """Understand: the expected top-k precision of a random ranking, 2 markers among 10 words."""
    name = "12.3 random precision"

    def check(v):
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and abs(float(v) - 0.2) < 1e-6
        hint = ""
        if isinstance(v, (int, float)) and abs(float(v) - 1 / 45) < 1e-3:
            hint = tr(" That is the chance of picking *both* markers; precision counts the markers among the "
                      "picks.")
        return verdict(name, ok, tr("right: each of the k picks is a marker with probability k / length = 2 / 10, "
                                    "so on average 0.2 of the picks are markers (linearity of expectation)."),
                       tr("you said {v!r}.{hint} A random pick is a marker with probability (markers / words); "
                          "precision is the average of that over the k picks.", v=v, hint=hint))
    return run_check(name, value, check)


def exercise_4(text, methods, reason, model, data) -> Result:
    """Explore: an input on which two methods' top-k tokens differ, one of them finding all markers, plus a reason."""
    name = "12.4 two methods disagree"

    def check(args):
        from .. import interpret as I
        txt, meths, why = args
        if not isinstance(txt, str) or not txt.split():
            return Result(name, False, tr("my_text must be a non-empty string of words, got {txt!r}", txt=txt))
        unknown = [w for w in txt.split() if w not in data.stoi or w == I.PAD]
        if unknown:
            return Result(name, False, tr("these words are not in the task's vocabulary: {unknown}; "
                                          "use words from data.vocab", unknown=unknown[:5]))
        if not (isinstance(meths, (tuple, list)) and len(meths) == 2 and all(m in I.METHODS for m in meths)
                and "random" not in meths and meths[0] != meths[1]):
            return Result(name, False, tr("my_methods must be two different names from {names}, got {meths!r}",
                                          names=I.METHODS[1:], meths=meths))
        if not isinstance(why, str) or len(why.split()) < 5:
            return Result(name, False, tr("write your explanation in my_reason (a sentence or two): why do they "
                                          "disagree?"))
        x = data.encode([txt])
        n = len(txt.split())
        marker = np.array([w in I.POSITIVE or w in I.NEGATIVE for w in txt.split()])
        k = int(marker.sum())
        if k == 0:
            return Result(name, False, tr("put at least one marker word (e.g. good, awful) in the review: without "
                                          "one there is no right answer to find"))
        was = model.training
        model.eval()
        try:
            attr = I.explain(model, data, x, methods=list(meths), lime_samples=400, shap_samples=300, seed=0)
        finally:
            model.train(was)
        tops = {m: set(np.argsort(-attr[m][0, :n], kind="stable")[:k].tolist()) for m in meths}
        found = {m: int(marker[list(t)].sum()) for m, t in tops.items()}
        words = txt.split()
        desc = tr("; ").join(tr("{method} picks {words}", method=m, words=[words[j] for j in sorted(t)])
                             for m, t in tops.items())
        pred = I.CLASS_NAMES[int(I.predict_proba(model, x).argmax(1)[0])]
        msg = tr("model predicts {pred}; {k} marker(s); {desc}. ", pred=pred, k=k, desc=desc)
        if tops[meths[0]] != tops[meths[1]] and max(found.values()) == k:
            return Result(name, True, msg + tr("They disagree, and one of them is right. Your reason: ") + why)
        if tops[meths[0]] == tops[meths[1]]:
            return Result(name, False, msg + tr("They agree on this input: try repeating a marker, or mixing "
                                                "positive and negative words."))
        return Result(name, False, msg + tr("They disagree, but neither finds all the markers; aim for an input "
                                            "where one method is right and the other is fooled."))
    if text is None or methods is None or reason is None:
        return run_check(name, None, check)
    return run_check(name, (text, methods, reason), check)
