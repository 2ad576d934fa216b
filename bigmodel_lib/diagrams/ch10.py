"""Figures of chapter 10 (quantization): the int8 grid over a weight histogram, one scale per tensor vs
one per channel, the outlier feature of LLM.int8(), and what GPTQ and AWQ add to round-to-nearest."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import COLORS, arrow, box, canvas, finish, label, note


def int8_grid(weights: torch.Tensor, labels: Mapping[str, str] | None = None, zoom_points: int = 6) -> Figure:
    """A real weight matrix's histogram with the 255 points of its absmax int8 grid drawn under it, and a
    zoom on a few grid steps where weights snap to the nearest point.

    labels keys: title, hist, grid, zoom, xlabel, count, step.
    """
    if not isinstance(weights, torch.Tensor) or weights.numel() < 2:
        raise TypeError("weights must be a torch.Tensor with at least 2 values")
    w = weights.detach().float().flatten().cpu().numpy()
    s = float(np.abs(w).max()) / 127
    fig, (ax, az) = plt.subplots(2, 1, figsize=(9, 5.2), gridspec_kw=dict(height_ratios=[2.2, 1]))
    ax.hist(w, bins=200, color=COLORS["key"], label=label(labels, "hist", "weights of one trained layer"))
    grid = np.arange(-127, 128) * s
    ymax = ax.get_ylim()[1]
    ax.vlines(grid, -0.06 * ymax, 0, color=COLORS["accent"], lw=0.5,
              label=label(labels, "grid", "the 255 int8 grid points q·s"))
    ax.set_ylim(-0.08 * ymax, ymax)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_ylabel(label(labels, "count", "count"))
    ax.set_title(label(labels, "title", "The int8 grid is set by the largest |w|: most weights use a few levels"),
                 fontsize=11)
    ax.legend(loc="upper right", fontsize=8)
    # zoom: a few grid steps around zero, each weight with a tick to its nearest grid point
    lo, hi = -zoom_points / 2 * s, zoom_points / 2 * s
    sel = w[(w > lo) & (w < hi)][:40]
    rng = np.random.default_rng(0)
    ys = rng.uniform(0.35, 0.95, len(sel))
    for x, y in zip(sel, ys):
        qx = np.round(x / s) * s
        az.plot([x, qx], [y, 0.0], color=COLORS["muted"], lw=0.6)
    az.scatter(sel, ys, s=10, color=COLORS["key"], zorder=3)
    gz = np.arange(np.floor(lo / s), np.ceil(hi / s) + 1) * s
    az.vlines(gz, -0.1, 0.0, color=COLORS["accent"], lw=1.5)
    for k in range(len(gz) - 1):
        if k == len(gz) // 2:
            az.annotate("", (gz[k], -0.2), (gz[k + 1], -0.2), arrowprops=dict(arrowstyle="<->", lw=0.8))
            step = label(labels, "step", "s = max|w| / 127 = {s}").replace("{s}", f"{s:.2e}")
            az.text((gz[k] + gz[k + 1]) / 2, -0.33, step, ha="center", va="top", fontsize=8)
    az.axhline(0, color="k", lw=0.6)
    az.set_xlim(lo, hi)
    az.set_ylim(-0.5, 1.0)
    az.set_yticks([])
    az.set_xlabel(label(labels, "xlabel", "weight value"))
    az.set_title(label(labels, "zoom", "zoom: each weight is rounded to the nearest grid point"), fontsize=9)
    return finish(fig)


def _ruler(ax, x: float, y: float, length: float, step: float, color: str) -> None:
    """A bar from x to x + length (a row's range of |w|) with a tick at every grid step."""
    ax.plot([x, x + length], [y, y], color=COLORS[color], lw=2.5, solid_capstyle="butt")
    t = 0.0
    while t <= length + 1e-9:
        ax.plot([x + t] * 2, [y - 0.07, y + 0.07], color=COLORS["edge"], lw=0.9)
        t += step


def granularity(labels: Mapping[str, str] | None = None) -> Figure:
    """One scale for the whole matrix vs one scale per row (output channel), with an outlier row. Beside each
    row: its range of |w| as a bar, and a tick at every grid point that falls inside it.

    labels keys: title, tensor, channel, outlier, ranges, coarse, fine, colour.
    """
    fig, ax = canvas(10.4, 3.6, title=label(labels, "title", "Who shares a grid: the whole tensor, or each row"))
    rows, cols, cell, levels, span = 6, 7, 0.36, 8, 1.6
    vals = np.abs(np.random.default_rng(1).normal(size=(rows, cols))) * np.linspace(0.6, 1.2, rows)[:, None]
    vals[2] *= 8
    top = vals.max()
    for x0, per_row in ((0.7, False), (5.9, True)):
        for i in range(rows):
            for j in range(cols):
                t = min(1.0, vals[i, j] / (vals[i].max() if per_row else top))
                ax.add_patch(Rectangle((x0 + j * cell, 0.55 + (rows - 1 - i) * cell), cell, cell,
                                       fc=plt.get_cmap("Blues")(0.15 + 0.8 * t), ec="white"))
            yy = 0.55 + (rows - 1 - i) * cell + cell / 2
            length = span * vals[i].max() / top
            step = (vals[i].max() if per_row else top) / top * span / levels
            _ruler(ax, x0 + cols * cell + 0.25, yy, length, step, "accent" if i == 2 else "key")
        out_y = 0.55 + (rows - 1 - 2) * cell
        ax.add_patch(Rectangle((x0 - 0.03, out_y - 0.03), cols * cell + 0.06, cell + 0.06, fill=False,
                               ec=COLORS["accent"], lw=2))
        note(ax, x0 - 0.1, out_y + cell / 2, label(labels, "outlier", "outlier\nrow"), fontsize=8, ha="right",
             color="accent", style="normal")
        note(ax, x0 + (cols * cell + 0.25 + span) / 2, 0.25,
             label(labels, "channel", "per channel: a grid per row") if per_row else
             label(labels, "tensor", "per tensor: one grid for all rows"), fontsize=10, color="edge",
             style="normal")
    note(ax, 0.7 + cols * cell + 0.25 + span / 2, 0.55 + rows * cell + 0.2,
         label(labels, "coarse", "ordinary rows span only a few steps"), fontsize=8)
    note(ax, 5.9 + cols * cell + 0.25 + span / 2, 0.55 + rows * cell + 0.2,
         label(labels, "fine", "every row spans all steps"), fontsize=8)
    ax.set_ylim(-0.25, 3.6)
    note(ax, 5.2, -0.1, label(labels, "colour", "bars: each row's range of |w|; ticks: its grid points "
                                              "(8 drawn, 127 in int8); colour: |w| / the largest |w| sharing "
                                              "the scale"),
         fontsize=8)
    return finish(fig)


def outlier_feature(labels: Mapping[str, str] | None = None) -> Figure:
    """LLM.int8()'s decomposition: the outlier columns of X (and the matching columns of W) go through a
    16-bit product, everything else through int8 with a scale per row of X and per row of W; the two sum.

    labels keys: title, x, w, col, rows_int8, rows_fp16, plus, int8, fp16, out, why.
    """
    fig, ax = canvas(10.5, 4.6, title=label(labels, "title",
                                             "LLM.int8(): outlier feature columns in 16 bits, the rest in int8"))
    rows, cols, cell = 5, 8, 0.32
    outl = {2, 6}
    x0, y0 = 0.5, 1.2
    for i in range(rows):
        for j in range(cols):
            fc = COLORS["accent"] if j in outl else plt.get_cmap("Blues")(0.25 + 0.1 * ((i + j) % 3))
            ax.add_patch(Rectangle((x0 + j * cell, y0 + i * cell), cell, cell, fc=fc, ec="white"))
    note(ax, x0 + cols * cell / 2, y0 + rows * cell + 0.25, label(labels, "x", "X: tokens × features"), fontsize=9,
         color="edge", style="normal")
    note(ax, x0 + 2.5 * cell, y0 - 0.3, label(labels, "col", "a large feature sits in every token's row"),
         fontsize=8, color="accent")
    arrow(ax, (x0 + cols * cell + 0.15, y0 + rows * cell * 0.75), (4.2, 3.3))
    arrow(ax, (x0 + cols * cell + 0.15, y0 + rows * cell * 0.25), (4.2, 1.3))
    # top: int8 part (ordinary columns)
    for i in range(rows):
        for j in range(cols - len(outl)):
            ax.add_patch(Rectangle((4.3 + j * 0.22, 2.75 + i * 0.22), 0.22, 0.22,
                                   fc=plt.get_cmap("Blues")(0.25 + 0.1 * ((i + j) % 3)), ec="white"))
    box(ax, 5.8, 2.95, 2.0, 0.7, label(labels, "int8", "int8 × int8\nscale per row of X and of W"),
        color="attn", fontsize=8)
    # bottom: fp16 part (outlier columns)
    for i in range(rows):
        for j in range(len(outl)):
            ax.add_patch(Rectangle((4.3 + j * 0.22, 0.9 + i * 0.22), 0.22, 0.22, fc=COLORS["accent"], ec="white"))
    box(ax, 5.8, 1.05, 2.0, 0.7, label(labels, "fp16", "16-bit × 16-bit\nthe few outlier columns"),
        color="mem", fontsize=8)
    arrow(ax, (4.3 + 6 * 0.22 + 0.05, 3.3), (5.8, 3.3))
    arrow(ax, (4.3 + 2 * 0.22 + 0.05, 1.4), (5.8, 1.4))
    box(ax, 8.5, 2.05, 0.5, 0.5, "+", color="neutral", fontsize=14)
    arrow(ax, (7.85, 3.3), (8.6, 2.6))
    arrow(ax, (7.85, 1.4), (8.6, 2.0))
    box(ax, 9.3, 2.0, 1.0, 0.6, label(labels, "out", "X·Wᵀ"), color="output", fontsize=10)
    arrow(ax, (9.05, 2.3), (9.3, 2.3))
    note(ax, 5.25, 0.35, label(labels, "why", "a scale per token row cannot help: the outlier is in every row; "
                                            "splitting the columns can"), fontsize=8.5)
    return finish(fig)


def rtn_gptq_awq(labels: Mapping[str, str] | None = None) -> Figure:
    """What GPTQ and AWQ add to round-to-nearest (RTN), as three small pipelines.

    labels keys: title, rtn, rtn_do, gptq, gptq_do, awq, awq_do, out.
    """
    fig, ax = canvas(10.5, 4.2, title=label(labels, "title", "Three ways to choose int4/int8 weights"))
    rows = [
        ("rtn", "round-to-nearest", "rtn_do", "round each weight on its own\n(what this chapter builds; "
                                              "needs no data)", "neutral", False),
        ("gptq", "GPTQ", "gptq_do", "round one column at a time; update the\nnot-yet-rounded columns to cancel "
                                    "the error\n(second-order, from calibration inputs)", "attn", True),
        ("awq", "AWQ", "awq_do", "scale up the ~1% salient input channels (found\nfrom activation sizes on "
                                 "calibration inputs) before\nrounding; scale the activations down to match",
         "ffn", True),
    ]
    for k, (key, name, dkey, default, color, _) in enumerate(rows):
        y = 3.0 - 1.25 * k
        box(ax, 0.2, y, 1.6, 0.8, label(labels, key, name), color=color, fontsize=10, weight="bold")
        box(ax, 2.6, y - 0.05, 4.6, 0.9, label(labels, dkey, default), color="input", fontsize=8)
        arrow(ax, (1.85, y + 0.4), (2.6, y + 0.4))
        box(ax, 8.2, y + 0.1, 1.9, 0.6, label(labels, "out", "int weights + scales"), color="output", fontsize=8)
        arrow(ax, (7.25, y + 0.4), (8.2, y + 0.4))
    return finish(fig)
