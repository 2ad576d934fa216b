"""Figures of chapter 05 (training time): where 6 FLOPs per weight per token come from, what the units of the
article's formula are, and how the chapter's prediction is made."""
from __future__ import annotations

from matplotlib.figure import Figure

from . import arrow, box, canvas, finish, label, note


def six_flops_figure(labels: dict | None = None) -> Figure:
    """One weight matrix W in a training step: the forward product costs 2 FLOPs per weight and token, the
    backward pass two more products of the same size (gradient of the input, gradient of the weight).

    Label keys: title, x, y, dy, dx, dW, fwd, bwd_x, bwd_w, fwd_note, bwd_note, total, attention.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(10.0, 5.0, title=L("title", "Where 6 FLOPs per weight per token come from"))
    # forward row
    box(ax, 0.3, 3.3, 1.2, 0.7, L("x", "x  (input)"), color="input")
    box(ax, 3.0, 3.3, 2.4, 0.7, L("fwd", "y = W · x"), color="weight", weight="bold")
    box(ax, 6.9, 3.3, 1.2, 0.7, L("y", "y  (output)"), color="output")
    arrow(ax, (1.5, 3.65), (3.0, 3.65))
    arrow(ax, (5.4, 3.65), (6.9, 3.65))
    note(ax, 4.2, 4.35, L("fwd_note", "forward: 1 multiply + 1 add per weight  →  2"), color="edge", style="normal",
         fontsize=10)
    # backward row
    box(ax, 6.9, 1.6, 1.2, 0.7, L("dy", "∂L/∂y"), color="mem")
    box(ax, 3.0, 2.0, 2.4, 0.6, L("bwd_x", "∂L/∂x = Wᵀ · ∂L/∂y"), color="attn")
    box(ax, 3.0, 1.1, 2.4, 0.6, L("bwd_w", "∂L/∂W = ∂L/∂y · xᵀ"), color="ffn")
    box(ax, 0.3, 2.0, 1.2, 0.6, L("dx", "∂L/∂x"), color="mem")
    box(ax, 0.3, 1.1, 1.2, 0.6, L("dW", "∂L/∂W"), color="mem")
    arrow(ax, (6.9, 1.95), (5.4, 2.3))
    arrow(ax, (6.9, 1.95), (5.4, 1.4))
    arrow(ax, (3.0, 2.3), (1.5, 2.3))
    arrow(ax, (3.0, 1.4), (1.5, 1.4))
    note(ax, 4.2, 0.7, L("bwd_note", "backward: two products of the same size  →  2 + 2 = 4"), color="edge",
         style="normal", fontsize=10)
    # totals on the right
    box(ax, 8.5, 2.2, 1.35, 1.2, L("total", "2 + 4 = 6\nFLOPs per\nweight, token"), color="neutral",
        weight="bold", fontsize=10)
    note(ax, 5.0, 0.2, L("attention", "attention's two products (scores Q·Kᵀ, weighted sum ·V) follow the same "
                                      "2 + 4 split: 12·L·d·T per token"), fontsize=9)
    return finish(fig)


def units_figure(labels: dict | None = None) -> Figure:
    """The article's `Compute × Epochs` has the units of a rate (FLOP/s), not of a time; work over rate does.

    Label keys: title, a_row, a_compute, a_epochs, a_result, a_verdict, r_row, r_work, r_rate, r_result, r_verdict.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(10.0, 3.8, title=L("title", "Read the formulas with their units"))
    note(ax, 0.2, 3.25, L("a_row", "the article: TrainingTime = ComputeResources × TrainingEpochs"), ha="left",
         color="edge", fontsize=9)
    note(ax, 0.2, 1.55, L("r_row", "work over rate: T = C / (n·P·u)"), ha="left", color="edge", fontsize=9)
    # the article's row
    box(ax, 0.2, 2.2, 2.6, 0.8, L("a_compute", "compute resources\n[FLOP/s]"), color="attn")
    note(ax, 3.1, 2.6, "×", fontsize=18, color="edge", style="normal")
    box(ax, 3.4, 2.2, 2.0, 0.8, L("a_epochs", "epochs\n[a count]"), color="neutral")
    note(ax, 5.7, 2.6, "=", fontsize=18, color="edge", style="normal")
    box(ax, 6.0, 2.2, 1.9, 0.8, L("a_result", "[FLOP/s]"), color="mem")
    note(ax, 8.9, 2.6, L("a_verdict", "✗ a rate,\nnot a time"), color="accent", style="normal", fontsize=11)
    # the right row
    box(ax, 0.2, 0.5, 2.6, 0.8, L("r_work", "work C\n[FLOP]"), color="ffn")
    note(ax, 3.1, 0.9, "÷", fontsize=18, color="edge", style="normal")
    box(ax, 3.4, 0.5, 2.0, 0.8, L("r_rate", "rate n·P·u\n[FLOP/s]"), color="attn")
    note(ax, 5.7, 0.9, "=", fontsize=18, color="edge", style="normal")
    box(ax, 6.0, 0.5, 1.9, 0.8, L("r_result", "[s]"), color="ffn")
    note(ax, 8.9, 0.9, L("r_verdict", "✓ a time;\nepochs sit\ninside C"), color="#1a7f37", style="normal",
         fontsize=11)
    return finish(fig)


def prediction_figure(labels: dict | None = None) -> Figure:
    """The chapter's prediction: measure the rate on one model, predict the time of another, then run it.

    Label keys: title, a, u, predict, run, compare, note.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(10.0, 2.9, title=L("title", "Calibrate on one model, predict another"))
    box(ax, 0.1, 1.0, 2.1, 1.1, L("a", "model A\nforward pass only\ntime t_A"), color="input", fontsize=9)
    box(ax, 2.6, 1.0, 2.1, 1.1, L("u", "utilisation\nu = C_A / (t_A·P)"), color="norm", fontsize=9)
    box(ax, 5.1, 1.0, 2.2, 1.1, L("predict", "model B: other N, T,\nbatch; training step\nt_B = C_B / (P·u)"),
        color="weight", fontsize=9)
    box(ax, 7.7, 1.0, 2.2, 1.1, L("run", "run B's training\nstep, measure t_B"), color="output", fontsize=9)
    arrow(ax, (2.2, 1.55), (2.6, 1.55))
    arrow(ax, (4.7, 1.55), (5.1, 1.55))
    arrow(ax, (7.3, 1.55), (7.7, 1.55))
    arrow(ax, (8.8, 1.0), (6.2, 1.0), connection="arc3,rad=-0.35", text=L("compare", "compare"), fontsize=9,
          text_offset=(0.0, -0.35))
    note(ax, 5.0, 0.15, L("note", "C_A counts 2 FLOPs per weight (forward), C_B 6 (forward + backward): a wrong "
                                  "count shows up as a wrong prediction"), fontsize=9)
    return finish(fig)
