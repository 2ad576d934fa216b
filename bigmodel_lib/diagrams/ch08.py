"""Figures of chapter 08 (future trends): the KV cache growing token by token, and a mixture-of-experts layer
routing tokens to a few of its experts."""
from __future__ import annotations

from matplotlib.figure import Figure

from ..checks import check_int
from . import COLORS, arrow, box, canvas, finish, label, note


def kv_cache_figure(n_steps: int = 4, labels: dict | None = None) -> Figure:
    """Generation step by step: at step t the new token's query attends to the cached keys/values of all earlier
    tokens plus its own, and its key/value are appended; without a cache all t positions are recomputed.

    Label keys: title, step, cache, new, query, without, with, legend.
    """
    check_int("n_steps", n_steps, minimum=1, maximum=8)
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    cell = 0.55
    width = 3.2 + (n_steps + 1) * cell + 3.6
    height = 1.0 + 0.8 * n_steps + 0.5
    fig, ax = canvas(width, height, title=L("title", "The KV cache grows by one key and one value per token"))
    for t in range(1, n_steps + 1):
        y = height - 0.45 - 0.8 * t
        note(ax, 0.2, y + cell / 2, L("step", "step {t}").format(t=t), ha="left", fontsize=9, color="edge",
             style="normal")
        box(ax, 1.2, y, 1.1, cell, L("query", "q{t}").format(t=t), color="query", fontsize=9)
        arrow(ax, (2.3, y + cell / 2), (3.0, y + cell / 2), color="muted")
        for j in range(1, t + 1):
            new = j == t
            box(ax, 3.0 + (j - 1) * cell, y, cell * 0.95, cell, f"k{j} v{j}", rounded=False, fontsize=7,
                color=COLORS["accent"] if new else COLORS["key"], textcolor="white" if new else "black")
        x_txt = 3.0 + n_steps * cell + 0.4
        note(ax, x_txt, y + cell / 2 + 0.12, L("with", "cache: compute 1 position, read {t}").format(t=t),
             ha="left", fontsize=8, color="edge", style="normal")
        note(ax, x_txt, y + cell / 2 - 0.14, L("without", "no cache: recompute {t} positions").format(t=t),
             ha="left", fontsize=8)
    note(ax, width / 2, 0.35, L("legend", "blue: keys and values kept from earlier steps; orange: computed at this "
                                          "step and appended"), fontsize=9)
    return finish(fig)


def moe_figure(n_experts: int = 4, top_k: int = 1, labels: dict | None = None) -> Figure:
    """A mixture-of-experts feed-forward layer: the router scores the experts for each token, the token goes to
    its top-k experts, and their outputs are mixed with the router's weights.

    Label keys: title, tokens, router, expert, gate, out, note.
    """
    check_int("n_experts", n_experts, minimum=2, maximum=8)
    check_int("top_k", top_k, minimum=1, maximum=n_experts)
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    width, height = 10.0, 1.3 + 0.75 * n_experts
    fig, ax = canvas(width, height, title=L("title", "Mixture of experts: each token runs through {k} of {e} "
                                                      "expert MLPs").format(k=top_k, e=n_experts))
    mid = height - 1.0 - 0.75 * (n_experts - 1) / 2 + 0.27
    box(ax, 0.2, mid - 0.35, 1.3, 0.7, L("tokens", "token x"), color="input")
    box(ax, 2.1, mid - 0.45, 1.5, 0.9, L("router", "router\nsoftmax(W_r x)"), color="norm", fontsize=9)
    arrow(ax, (1.5, mid), (2.1, mid))
    chosen = set(range(top_k))
    for e in range(n_experts):
        y = height - 1.0 - 0.75 * e
        on = e in chosen
        box(ax, 4.6, y, 2.0, 0.55, L("expert", "expert {e}: MLP").format(e=e), color="ffn" if on else "neutral",
            fontsize=9, edgecolor=None if on else "muted", lw=1.8 if on else 0.8)
        arrow(ax, (3.6, mid), (4.6, y + 0.27), color="accent" if on else "muted", ls="-" if on else ":",
              lw=1.8 if on else 0.8)
        if on:
            arrow(ax, (6.6, y + 0.27), (7.6, mid), color="accent", lw=1.8,
                  text=L("gate", "× gate p{e}").format(e=e), fontsize=8)
    box(ax, 7.6, mid - 0.35, 2.1, 0.7, L("out", "Σ gate · expert(x)"), color="output", fontsize=9)
    note(ax, width / 2, 0.3, L("note", "parameters: all {e} experts are stored; compute per token: only {k} "
                                        "(dotted: not run for this token)").format(e=n_experts, k=top_k), fontsize=9)
    return finish(fig)
