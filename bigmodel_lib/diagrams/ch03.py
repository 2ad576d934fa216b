"""Conceptual figures of chapter 03 (attention): one query against all keys, masks next to the weights they
produce, and the split into heads and merge back. The first two draw the chapter's own numbers, so every
entry can be checked by hand."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import COLORS, arrow, box, canvas, finish, label, matrix, note


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def qkv_one_query(tokens: Sequence[str], q, K, V, query_index: int, features: Sequence[str] | None = None,
                  labels: Mapping[str, str] | None = None) -> Figure:
    """One query against all keys: the query vector, its dot product with every key (scores), divided by √d_k,
    softmax into weights, and the weighted sum of the value rows (the output). q: [d_k]; K: [T, d_k]; V: [T, d_v].
    `features` names the columns (drawn above the query, the keys and the values when given).

    Label keys: title, query, keys, scores, scaled, weights, values, output, dot, scale, softmax, sum.
    """
    q, K, V = (np.asarray(a, dtype=float) for a in (q, K, V))
    if q.ndim != 1 or K.ndim != 2 or V.ndim != 2 or K.shape[1] != q.shape[0] or V.shape[0] != K.shape[0]:
        raise ValueError(f"need q [d_k], K [T, d_k], V [T, d_v]; got {q.shape}, {K.shape}, {V.shape}")
    if len(tokens) != K.shape[0]:
        raise ValueError(f"tokens must name the {K.shape[0]} keys, got {len(tokens)}")
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    T, dk = K.shape
    scores = K @ q
    scaled = scores / math.sqrt(dk)
    w = _softmax(scaled)
    out = w @ V
    c = 0.42
    word = tokens[query_index]
    fig, ax = canvas(12.5, 3.4, title=L("title", "One query ('{word}') against all keys").format(word=word))
    top = 2.4 - T * c        # lower edge of the T-row matrices
    cols = [f[:4] for f in features] if features is not None else None
    # the query
    matrix(ax, 0.3, top + (T - 1) * c, [q], cell=c, fmt="{:.0f}", cmap="YlOrBr", vmin=-1, vmax=3,
           title=L("query", "query of '{word}'").format(word=word), col_labels=cols, fontsize=7.5)
    # the keys
    kx = 0.3 + dk * c + 1.25
    matrix(ax, kx, top, K, cell=c, fmt="{:.0f}", cmap="Blues", vmin=-1, vmax=2, row_labels=list(tokens),
           title=L("keys", "keys K (one row per token)"), col_labels=cols, fontsize=7.5)
    arrow(ax, (0.3 + dk * c + 0.1, top + (T - 0.5) * c), (kx - 0.45, top + (T - 0.5) * c))
    ax.text((0.3 + dk * c + kx - 0.35) / 2, top + (T - 0.5) * c - 0.12, L("dot", "· each key"),
            ha="center", va="top", fontsize=8)
    # scores, scaled, weights as columns
    col = lambda vals: [[v] for v in vals]  # noqa: E731
    sx = kx + dk * c + 0.7
    matrix(ax, sx, top, col(scores), cell=c, fmt="{:.0f}", cmap="Greys", vmin=-2, vmax=6, title=L("scores", "scores"))
    arrow(ax, (kx + dk * c + 0.05, top + T * c / 2), (sx - 0.05, top + T * c / 2))
    s2 = sx + c + 0.9
    matrix(ax, s2, top, col(scaled), cell=c, fmt="{:.2f}", cmap="Greys", vmin=-2, vmax=4,
           title=L("scaled", "÷ √d_k"))
    arrow(ax, (sx + c + 0.05, top + T * c / 2), (s2 - 0.05, top + T * c / 2),
          text=(L("scale", "÷{root:.0f}") if float(math.sqrt(dk)).is_integer() else L("scale", "÷{root:.2f}"))
          .format(root=math.sqrt(dk)),
          fontsize=8, text_offset=(0, 0.2))
    wx = s2 + c + 1.1
    matrix(ax, wx, top, col(w), cell=c, fmt="{:.2f}", cmap="Oranges", vmin=0, vmax=1.2,
           title=L("weights", "weights"))
    arrow(ax, (s2 + c + 0.05, top + T * c / 2), (wx - 0.05, top + T * c / 2),
          text=L("softmax", "softmax"), fontsize=8, text_offset=(0, 0.2))
    # values and output
    vx = wx + c + 0.9
    matrix(ax, vx, top, V, cell=c, fmt="{:.0f}", cmap="Greens", vmin=-1, vmax=2, title=L("values", "values V"),
           col_labels=cols, fontsize=7.5)
    arrow(ax, (wx + c + 0.05, top + T * c / 2), (vx - 0.05, top + T * c / 2), text="×", fontsize=9,
          text_offset=(0, 0.2))
    ox = vx + V.shape[1] * c + 1.1
    matrix(ax, ox, top + (T - 1) * c, [out], cell=c, fmt="{:.2f}", cmap="Purples", vmin=0, vmax=1.5,
           title=L("output", "output = Σ weight · value"))
    arrow(ax, (vx + V.shape[1] * c + 0.05, top + (T - 0.5) * c), (ox - 0.05, top + (T - 0.5) * c),
          text=L("sum", "sum rows"), fontsize=8, text_offset=(0, 0.2))
    note(ax, 6.25, 0.2, L("foot", "A query asks, the keys answer with a score, softmax turns the scores into weights "
                                   "that sum to 1, and the output mixes the values by those weights."), fontsize=9)
    ax.set_xlim(0, ox + V.shape[1] * c + 0.3)
    ax.set_ylim(0, 3.1)
    return finish(fig)


def _bool_grid(ax, x: float, y: float, m, cell: float, tokens: Sequence[str], title: str) -> None:
    m = np.asarray(m, dtype=bool)
    n, k = m.shape
    for i in range(n):
        for j in range(k):
            ax.add_patch(Rectangle((x + j * cell, y + (n - 1 - i) * cell), cell, cell,
                                   fc="white" if m[i, j] else "#444444", ec=COLORS["muted"], lw=1))
            ax.text(x + j * cell + cell / 2, y + (n - 1 - i) * cell + cell / 2, "✓" if m[i, j] else "✗",
                    ha="center", va="center", fontsize=9, color="black" if m[i, j] else "white")
    for i, s in enumerate(tokens[:n]):
        ax.text(x - 0.08, y + (n - 1 - i) * cell + cell / 2, s, ha="right", va="center", fontsize=8)
    for j, s in enumerate(tokens[:k]):
        ax.text(x + j * cell + cell / 2, y + n * cell + 0.08, s, ha="center", va="bottom", fontsize=8)
    ax.text(x + k * cell / 2, y - 0.15, title, ha="center", va="top", fontsize=9)


def masks(tokens_pad: Sequence[str], pad_mask, pad_weights, tokens: Sequence[str], causal, causal_weights,
          labels: Mapping[str, str] | None = None) -> Figure:
    """Masks as images next to the weights they produce: left the padding mask and its weights, right the causal
    mask and its weights. Masks are bool [Tq, Tk] (True = may attend); weights [Tq, Tk].

    Label keys: title, pad_mask, pad_weights, causal_mask, causal_weights, arrow, foot.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    pm, pw, cm, cw = (np.asarray(a) for a in (pad_mask, pad_weights, causal, causal_weights))
    if pm.shape != pw.shape or cm.shape != cw.shape:
        raise ValueError("each mask must have the shape of its weights")
    c = 0.5
    fig, ax = canvas(12.0, 3.6, title=L("title", "Masks (✓ may attend, ✗ may not) and the weights they produce"))
    y = 0.75
    x = 0.9
    for tk, m, w, mt, wt in ((tokens_pad, pm, pw, L("pad_mask", "padding mask"), L("pad_weights", "weights")),
                             (tokens, cm, cw, L("causal_mask", "causal mask"), L("causal_weights", "weights"))):
        _bool_grid(ax, x, y, m, c, tk, mt)
        n, k = m.shape
        wx = x + k * c + 1.3
        arrow(ax, (x + k * c + 0.15, y + n * c / 2), (wx - 0.45, y + n * c / 2), text=L("arrow", "softmax"),
              fontsize=8, text_offset=(0, 0.2))
        matrix(ax, wx, y, w, cell=c, fmt="{:.2f}", cmap="Oranges", vmin=0, vmax=1.2, row_labels=list(tk[:n]),
               col_labels=list(tk[:k]), title=wt)
        x = wx + k * c + 1.6
    note(ax, 6.0, 0.15, L("foot", "A masked score becomes -∞ before the softmax, so its weight is exactly 0; "
                                  "each row still sums to 1 over what it may see."), fontsize=9)
    return finish(fig)


def multi_head(n_tokens: int = 3, d_model: int = 4, n_heads: int = 2,
               labels: Mapping[str, str] | None = None) -> Figure:
    """Multi-head attention as split, attend, merge: Q, K, V of width d are cut into n_heads column blocks of
    width d/h; each head attends on its own block; the head outputs are put side by side again and mixed by W_O.

    Label keys: title, x, proj, split, head, concat, wo, out, foot.
    """
    if d_model % n_heads:
        raise ValueError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
    if not 1 <= n_heads <= 4:
        raise ValueError(f"n_heads must be 1..4 to fit the drawing, got {n_heads}")
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    hc = [COLORS["query"], COLORS["key"], COLORS["value"], COLORS["weight"]]
    c = 0.28
    T, dh = n_tokens, d_model // n_heads
    gh = T * c                                   # height of a grid
    row_gap = gh + 0.65
    top = 0.55 + n_heads * row_gap + 0.35        # lower edge of the top band
    fig, ax = canvas(12.5, top + gh + 0.55,
                     title=L("title", "{n} heads: split the width, attend in each, merge").format(n=n_heads))

    def grid(x, y, width, colors, text=""):
        for j in range(width):
            for i in range(T):
                ax.add_patch(Rectangle((x + j * c, y + (T - 1 - i) * c), c, c, fc=colors[j], ec="white", lw=1))
        if text:
            ax.text(x + width * c / 2, y - 0.08, text, ha="center", va="top", fontsize=8.5)

    head_cols = [hc[j // dh] for j in range(d_model)]
    # top band: X -> projections -> Q, K, V
    grid(0.3, top, d_model, [COLORS["input"]] * d_model, L("x", "X  [{T}×{d}]").format(T=T, d=d_model))
    px = 0.3 + d_model * c + 0.45
    box(ax, px, top + gh / 2 - 0.32, 1.4, 0.64, L("proj", "W_Q, W_K, W_V"), color="attn", fontsize=8.5)
    arrow(ax, (0.3 + d_model * c + 0.05, top + gh / 2), (px - 0.02, top + gh / 2))
    gx = px + 1.4 + 0.5
    for n, name in enumerate("QKV"):
        grid(gx + n * (d_model * c + 0.4), top, d_model, head_cols, f"{name}  [{T}×{d_model}]")
    arrow(ax, (px + 1.42, top + gh / 2), (gx - 0.03, top + gh / 2))
    group_end = gx + 3 * (d_model * c + 0.4) - 0.4
    # split: a bus on the left of the head rows
    bus_x = gx - 0.35
    rows = [0.55 + (n_heads - 1 - h) * row_gap for h in range(n_heads)]      # lower edges, head 0 on top
    ax.plot([bus_x, bus_x], [top - 0.3, rows[-1] + gh / 2], color=COLORS["muted"], lw=1.2, ls="--")
    ax.plot([bus_x, group_end], [top - 0.3, top - 0.3], color=COLORS["muted"], lw=1.2, ls="--")
    ax.text(bus_x - 0.08, (top + rows[-1]) / 2 + 0.3, L("split", "split the\ncolumns"), ha="right", va="center",
            fontsize=8.5, color=COLORS["muted"])
    ax_x = group_end + 0.5                                                   # attention boxes
    for h, y in enumerate(rows):
        arrow(ax, (bus_x, y + gh / 2), (gx - 0.03, y + gh / 2), color="muted", lw=1.1)
        for n, name in enumerate("QKV"):
            grid(gx + n * (dh * c + 0.35), y, dh, [hc[h]] * dh, f"{name}{h}")
        pieces_end = gx + 3 * (dh * c + 0.35) - 0.35
        box(ax, ax_x, y + gh / 2 - 0.3, 2.0, 0.6, L("head", "head {h}: attention on\ncolumns {a}–{b}").format(
            h=h, a=h * dh, b=(h + 1) * dh - 1), color=hc[h], fontsize=8.5)
        arrow(ax, (pieces_end + 0.05, y + gh / 2), (ax_x - 0.03, y + gh / 2), lw=1.1)
        grid(ax_x + 2.4, y, dh, [hc[h]] * dh, f"[{T}×{dh}]")
        arrow(ax, (ax_x + 2.02, y + gh / 2), (ax_x + 2.37, y + gh / 2), lw=1.1)
    # merge
    mx = ax_x + 2.4 + dh * c + 0.9
    my = (rows[0] + rows[-1]) / 2
    grid(mx, my, d_model, head_cols, L("concat", "concat  [{T}×{d}]").format(T=T, d=d_model))
    for y in rows:
        arrow(ax, (ax_x + 2.4 + dh * c + 0.05, y + gh / 2), (mx - 0.05, my + gh / 2), lw=1.1)
    wx = mx + d_model * c + 0.4
    box(ax, wx, my + gh / 2 - 0.3, 0.75, 0.6, L("wo", "W_O"), color="attn", fontsize=9)
    arrow(ax, (mx + d_model * c + 0.05, my + gh / 2), (wx - 0.02, my + gh / 2))
    grid(wx + 1.1, my, d_model, [COLORS["output"]] * d_model, L("out", "output  [{T}×{d}]").format(T=T, d=d_model))
    arrow(ax, (wx + 0.77, my + gh / 2), (wx + 1.07, my + gh / 2))
    note(ax, 6.25, 0.15, L("foot", "Colours mark the columns each head owns. Split and merge are reshapes; only "
                                   "W_Q, W_K, W_V and W_O hold parameters."), fontsize=9)
    ax.set_xlim(0, max(12.5, wx + 1.1 + d_model * c + 0.3))
    return finish(fig)
