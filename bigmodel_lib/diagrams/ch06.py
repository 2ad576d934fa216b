"""Figures of chapter 06 (interpretability): a map of the families of explanation methods with what each asks
of the model, and the three questions that attention, gradients and occlusion answer about one prediction."""
from __future__ import annotations

from matplotlib.figure import Figure

from . import arrow, box, canvas, finish, label, note


def methods_map_figure(labels: dict | None = None) -> Figure:
    """Four families of explanations (attention, gradients, perturbation, surrogate models): what each needs
    from the model, what it costs per explanation, and examples; chapter 12 scores them.

    Label keys: title, h_family, h_needs, h_cost, h_examples, footer, access, and for each family f in
    (attn, grad, pert, surr): f, f_needs, f_cost, f_examples.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(12.2, 5.2, title=L("title", "A map of explanation methods: what each asks of the model"))
    cols = [(0.2, 2.2), (2.5, 3.3), (5.9, 2.1), (8.1, 2.7)]
    heads = [L("h_family", "family"), L("h_needs", "what it needs from the model"), L("h_cost", "cost per input"),
             L("h_examples", "examples")]
    for (x, w), h in zip(cols, heads):
        note(ax, x + w / 2, 4.45, h, color="edge", style="normal", fontsize=10)
    rows = [     # family, what it needs, cost, examples, colour: each text looked up here, under its label key
        (L("attn", "attention"), L("attn_needs", "open the model: read its\nattention weights"),
         L("attn_cost", "free (one forward pass)"), L("attn_examples", "attention maps\n(chapter 04, 06)"), "attn"),
        (L("grad", "gradients"), L("grad_needs", "open the model and\ndifferentiate it"),
         L("grad_cost", "1 backward pass\n(IG: one per step)"),
         L("grad_examples", "gradient × input,\nintegrated gradients"), "key"),
        (L("pert", "perturbation"), L("pert_needs", "only call it (a black box)\non changed inputs"),
         L("pert_cost", "T + 1 forward passes"), L("pert_examples", "occlusion"), "weight"),
        (L("surr", "surrogate models"), L("surr_needs", "only call it, many times;\nfit a simple model locally"),
         L("surr_cost", "hundreds of forward\npasses"), L("surr_examples", "LIME, SHAP"), "value"),
    ]
    y = 3.45
    for fam, needs, cost, ex, color in rows:
        box(ax, cols[0][0], y, cols[0][1], 0.75, fam, color=color, weight="bold", fontsize=10)
        box(ax, cols[1][0], y, cols[1][1], 0.75, needs, color="neutral", fontsize=9)
        box(ax, cols[2][0], y, cols[2][1], 0.75, cost, color="neutral", fontsize=9)
        box(ax, cols[3][0], y, cols[3][1], 0.75, ex, color="neutral", fontsize=9)
        y -= 0.95
    arrow(ax, (11.1, 4.1), (11.1, 0.6), color="muted", lw=1.2)
    note(ax, 11.25, 2.35, L("access", "less\naccess\nneeded"), fontsize=8, ha="left")
    note(ax, 6.1, 0.2, L("footer", "none of them is right by construction: chapter 12 scores each against a known "
                                    "truth (faithfulness)"), fontsize=9)
    return finish(fig)


def three_questions_figure(labels: dict | None = None) -> Figure:
    """One prediction and the three questions the basic explanations ask about it.

    Label keys: title, input, model, output, attn, grad, occl, attn_q, grad_q, occl_q.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(10.0, 4.2, title=L("title", "Three explanations of one prediction ask three different questions"))
    box(ax, 0.2, 1.7, 2.4, 0.8, L("input", "the  film  was  good"), color="input", fontsize=10)
    box(ax, 3.6, 1.5, 2.2, 1.2, L("model", "classifier\n(transformer)"), color="attn", fontsize=10)
    box(ax, 6.8, 1.7, 2.9, 0.8, L("output", "p(positive | words)"), color="output", fontsize=10)
    arrow(ax, (2.6, 2.1), (3.6, 2.1))
    arrow(ax, (5.8, 2.1), (6.8, 2.1))
    # the three questions, each pointing at where it looks
    box(ax, 3.3, 3.25, 2.8, 0.6, L("attn_q", "attention: where did it look?"), color="neutral", fontsize=9)
    arrow(ax, (4.7, 3.25), (4.7, 2.7), color="accent")
    box(ax, 6.4, 0.35, 3.5, 0.6, L("grad_q", "gradient: what if a word moved a little?"), color="neutral", fontsize=9)
    arrow(ax, (8.2, 0.95), (8.2, 1.7), color="accent")
    arrow(ax, (6.4, 0.65), (2.0, 1.7), color="accent", connection="arc3,rad=-0.15")
    box(ax, 0.1, 3.25, 2.8, 0.6, L("occl_q", "occlusion: what if a word were gone?"), color="neutral", fontsize=9)
    arrow(ax, (1.5, 3.25), (1.5, 2.5), color="accent")
    return finish(fig)
