"""Figures of chapter 12 (interpretability methods): each method as a small pipeline — what it reads,
differentiates or perturbs, how many model calls that takes, and what it returns."""
from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from . import arrow, box, canvas, finish, label, note


def _pipelines(title: str, rows: list[tuple[str, str, str, str, str]], labels: Mapping[str, str] | None) -> Figure:
    fig, ax = canvas(10.5, 1.25 * len(rows) + 0.9, title=title)
    head_y = 1.25 * len(rows) + 0.35
    for x, key, default in ((0.2, "h_in", "method"), (2.35, "h_do", "what it does to the model"),
                            (6.65, "h_calls", "model calls"), (8.45, "h_out", "what it returns")):
        note(ax, x, head_y, label(labels, key, default), ha="left", fontsize=9, color="edge", style="normal")
    for k, (name, color, does, calls, returns) in enumerate(rows):
        y = 1.25 * (len(rows) - 1 - k) + 0.2
        box(ax, 0.2, y, 1.7, 0.85, name, color=color, fontsize=9.5, weight="bold")
        box(ax, 2.35, y, 4.0, 0.85, does, color="input", fontsize=8)
        box(ax, 6.65, y + 0.12, 1.4, 0.6, calls, color="neutral", fontsize=8)
        box(ax, 8.45, y, 1.85, 0.85, returns, color="output", fontsize=8)
        arrow(ax, (1.95, y + 0.42), (2.35, y + 0.42))
        arrow(ax, (6.38, y + 0.42), (6.65, y + 0.42))
        arrow(ax, (8.08, y + 0.42), (8.45, y + 0.42))
    return finish(fig)


def inside_methods(labels: Mapping[str, str] | None = None) -> Figure:
    """Methods that read or differentiate the model: attention, gradient × input, integrated gradients.

    labels keys: title, h_in, h_do, h_calls, h_out, attention, attention_do, attention_calls, attention_out,
    gxi, gxi_do, gxi_calls, gxi_out, ig, ig_do, ig_calls, ig_out.
    """
    L = labels
    rows = [
        (label(L, "attention", "attention"), "attn",
         label(L, "attention_do", "read the last layer's attention weights;\naverage over heads and over the "
                                  "attending positions"),
         label(L, "attention_calls", "1 forward"),
         label(L, "attention_out", "attention received\nper token (≥ 0,\nsame for every class)")),
        (label(L, "gxi", "gradient × input"), "key",
         label(L, "gxi_do", "differentiate log p(class) w.r.t. each token's\nembedding, multiply by the embedding, "
                            "sum"),
         label(L, "gxi_calls", "1 forward\n+ 1 backward"),
         label(L, "gxi_out", "signed score per token\n(≈ 0 where the\nsoftmax is saturated)")),
        (label(L, "ig", "integrated\ngradients"), "query",
         label(L, "ig_do", "the same gradient at m points on the straight\npath from a zero embedding to the "
                           "input; average,\nmultiply by (input − baseline)"),
         label(L, "ig_calls", "m forward\n+ m backward"),
         label(L, "ig_out", "signed score per token;\nscores sum to\nf(x) − f(baseline)")),
    ]
    return _pipelines(label(L, "title", "Reading and differentiating the model"), rows, L)


def perturbation_methods(labels: Mapping[str, str] | None = None) -> Figure:
    """Methods that remove words and watch the output: occlusion, LIME, SHAP.

    labels keys: title, h_in, h_do, h_calls, h_out, occ, occ_do, occ_calls, occ_out, lime, lime_do, lime_calls,
    lime_out, shap, shap_do, shap_calls, shap_out.
    """
    L = labels
    rows = [
        (label(L, "occ", "occlusion"), "mem",
         label(L, "occ_do", "remove one token at a time (replace by PAD);\nscore = drop in p(class)"),
         label(L, "occ_calls", "T forwards"),
         label(L, "occ_out", "drop per token\n(≈ 0 for a word that\nhas a twin)")),
        (label(L, "lime", "LIME"), "ffn",
         label(L, "lime_do", "remove random subsets of words; fit a linear\nmodel to p(class), weighted by "
                             "closeness\nto the full input"),
         label(L, "lime_calls", "n forwards\n(hundreds)"),
         label(L, "lime_out", "coefficient per word\n(a local linear\nsurrogate)")),
        (label(L, "shap", "SHAP\n(kernel)"), "value",
         label(L, "shap_do", "remove subsets of words, weighted by the\nShapley kernel; a weighted linear fit "
                             "estimates\neach word's Shapley value"),
         label(L, "shap_calls", "n forwards\n(hundreds)"),
         label(L, "shap_out", "value per word; values\nsum to p(x) − p(empty)")),
    ]
    return _pipelines(label(L, "title", "Perturbing the input and watching the output"), rows, L)
