"""Exercises of chapter 06 (interpretability): what the article's formula rewards, a surrogate-model explanation
written from scratch (checked against the exact answer of least squares), and an input that fools occlusion."""
from __future__ import annotations

import numpy as np
import torch

from ..i18n import tr
from . import Result, run_check, verdict


def exercise_1(answer) -> Result:
    """Make the transformer twice as wide with the same explainability: does the formula's verdict go up, down
    or stay the same (ModelComplexity = parameters)?"""
    name = "06.1 what the formula rewards"

    def check(a):
        from ..interpret import MarkerData, make_classifier
        from ..models import count_parameters
        a = str(a).strip().lower()
        if a not in ("up", "down", "same"):
            return verdict(name, False, "", tr('answer "up", "down" or "same".'))
        data = MarkerData(n_train=10, n_val=10, seed=0)
        narrow = count_parameters(make_classifier(data, d_model=32, n_heads=2, n_layers=2))
        wide = count_parameters(make_classifier(data, d_model=64, n_heads=2, n_layers=2))
        why = tr("twice the width has {ratio:.1f}× the parameters ({narrow:,} → {wide:,}); with Explainability "
                 "unchanged the product grows {ratio:.1f}×, so the formula calls a bigger, harder-to-read model more "
                 "interpretable.", ratio=wide / narrow, narrow=narrow, wide=wide)
        return verdict(name, a == "up", tr("right: {why}", why=why),
                       tr("it goes up: {why} That is the formula's first fault.", why=why))
    return run_check(name, answer, check)


def _projection(w: np.ndarray, b: float, pairs: list[tuple[int, int, float]]) -> np.ndarray:
    """The least-squares linear fit of f(z) = b + w·z + Σ c·z_i·z_j over independent fair-coin masks z.

    For z_i, z_j ~ Bernoulli(1/2), the best linear approximation of z_i·z_j is z_i/2 + z_j/2 - 1/4, so each
    interaction adds c/2 to the weights of both of its words.
    """
    out = w.astype(float).copy()
    for i, j, c in pairs:
        out[i] += c / 2
        out[j] += c / 2
    return out


def exercise_2(surrogate_fn) -> Result:
    """surrogate_weights(f, n_words, n_samples, seed): the weights of a linear model fitted by least squares to
    f on random keep-masks (each word kept with probability 1/2)."""
    name = "06.2 a surrogate model from scratch"

    def check(fn):
        rng = np.random.default_rng(7)
        for n_words, pairs in ((6, [(0, 1, 2.0)]), (12, [(3, 7, -3.0), (0, 11, 1.5)]), (20, [])):
            w = rng.normal(0, 1, n_words)
            b = float(rng.normal())

            def f(z, w=w, b=b, pairs=pairs):
                z = np.asarray(z, dtype=float)
                if z.ndim != 2 or z.shape[1] != n_words:
                    raise ValueError(tr("f takes masks of shape [samples, {n_words}], got {shape}", n_words=n_words,
                                        shape=z.shape))
                out = b + z @ w
                for i, j, c in pairs:
                    out = out + c * z[:, i] * z[:, j]
                return out
            got = np.asarray(fn(f, n_words, 4000, 0), dtype=float)
            want = _projection(w, b, pairs)
            if got.shape != (n_words,):
                return verdict(name, False, "", tr("return one weight per word, shape ({n_words},); got {shape}.",
                                                   n_words=n_words, shape=got.shape))
            err = np.abs(got - want).max()
            if err > 0.15:
                occl = want.copy()
                for i, j, c in pairs:
                    occl[i] += c / 2
                    occl[j] += c / 2
                hint = ""
                if pairs and np.abs(got - occl).max() < 0.15:
                    hint = tr(" Your weights match leave-one-out (occlusion), which credits each word with the whole "
                              "interaction; a surrogate fitted on random masks splits it.")
                return verdict(name, False, "", tr("with {n_words} words your weights differ from the least-squares "
                                                   "answer by up to {err:.2f}.{hint} Sample masks with each word kept "
                                                   "with probability 1/2, call f once on all of them, and solve the "
                                                   "least-squares problem with an intercept column.",
                                                   n_words=n_words, err=err, hint=hint))
        return verdict(name, True, tr("right: on an additive model your surrogate recovers every weight, and where "
                                      "two words interact it splits their joint effect between them, as least "
                                      "squares over random masks must. LIME does this (with weights and a kernel) "
                                      "around one input."), "")
    return run_check(name, surrogate_fn, check)


def exercise_3(review, model, data) -> Result:
    """A review the model calls positive with p > 0.9 although no single word's occlusion score reaches 0.05."""
    name = "06.3 fool occlusion"

    def check(text):
        from ..interpret import CLASS_NAMES, occlusion_scores, predict_proba
        if not isinstance(text, str):
            return verdict(name, False, "", tr("give the review as one string of space-separated words."))
        try:
            x = data.encode([text])
        except ValueError as e:
            return verdict(name, False, "", tr("{error}. Use words from data.vocab.", error=e))
        pos = CLASS_NAMES.index("positive")
        p = float(predict_proba(model, x)[0, pos])
        occ = occlusion_scores(model, x, target=torch.tensor([pos]))[0]
        n = int((x[0] != 0).sum())
        top = float(occ[:n].max())
        if p <= 0.9:
            return verdict(name, False, "", tr("p(positive) = {p:.3f}: the model must be confident (> 0.9).", p=p))
        if top >= 0.05:
            word = data.words(x[0])[int(occ[:n].argmax())]
            return verdict(name, False, "", tr("p(positive) = {p:.3f}, but removing '{word}' alone lowers it by "
                                               "{top:.3f} (the goal is < 0.05 for every word). What if no word were "
                                               "needed on its own?", p=p, word=word, top=top))
        return verdict(name, True, tr("found: p(positive) = {p:.3f}, and no single word's removal lowers it by "
                                      "more than {top:.3f}. Occlusion says nothing matters, yet the words together "
                                      "decide the label: redundant evidence hides from leave-one-out explanations.",
                                      p=p, top=top), "")
    return run_check(name, review, check)
