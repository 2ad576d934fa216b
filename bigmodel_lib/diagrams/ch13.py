"""Figures of chapter 13 (conclusion): the capstone's planning steps, and the map of which chapter measured
which of the article's challenges."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from . import arrow, box, canvas, finish, label, note


def capstone_plan(labels: Mapping[str, str] | None = None) -> Figure:
    """The capstone as a pipeline: a time budget becomes FLOPs (chapter 05), FLOPs become a model size and a
    token count (chapter 08), memory is checked (chapter 11), then the library's loop trains and the checker
    compares. labels keys: title, budget, rate, flops, alloc, memory, shape, train, check, ch05, ch08, ch11,
    and the arrow texts a_rate, a_alloc, a_fit.
    """
    L = labels
    fig, ax = canvas(11, 4.4, title=label(L, "title", "Capstone: from a time budget to a trained model"))
    top, low = 2.7, 0.6
    box(ax, 0.2, top, 1.8, 0.9, label(L, "budget", "budget\nN minutes"), color="neutral", fontsize=9,
        weight="bold")
    box(ax, 2.7, top, 2.3, 0.9, label(L, "rate", "measured FLOP/s\n× utilisation"), color="attn", fontsize=9)
    box(ax, 5.7, top, 2.1, 0.9, label(L, "flops", "FLOP budget\nC = seconds × rate"), color="input", fontsize=9)
    box(ax, 8.5, top, 2.3, 0.9, label(L, "alloc", "N, D with\nC = 6·N·D, D ≈ 20·N"), color="ffn", fontsize=9)
    note(ax, 3.85, top + 1.15, label(L, "ch05", "chapter 05"), fontsize=8)
    note(ax, 9.65, top + 1.15, label(L, "ch08", "chapter 08"), fontsize=8)
    arrow(ax, (2.05, top + 0.45), (2.7, top + 0.45))
    arrow(ax, (5.05, top + 0.45), (5.7, top + 0.45))
    arrow(ax, (7.85, top + 0.45), (8.5, top + 0.45))
    box(ax, 8.5, low, 2.3, 0.9, label(L, "shape", "a shape: layers,\nwidth, batch, steps"), color="query",
        fontsize=9)
    arrow(ax, (9.65, top - 0.05), (9.65, low + 0.95))
    box(ax, 5.7, low, 2.1, 0.9, label(L, "memory", "memory estimate\nfits?"), color="mem", fontsize=9)
    note(ax, 6.75, low - 0.3, label(L, "ch11", "chapter 11"), fontsize=8)
    arrow(ax, (8.45, low + 0.45), (7.85, low + 0.45))
    box(ax, 2.7, low, 2.3, 0.9, label(L, "train", "train with the\nlibrary's loop"), color="value", fontsize=9)
    arrow(ax, (5.65, low + 0.45), (5.05, low + 0.45))
    box(ax, 0.2, low, 1.8, 0.9, label(L, "check", "checker: time kept?\nloss reached?"), color="output",
        fontsize=8.5)
    arrow(ax, (2.65, low + 0.45), (2.05, low + 0.45))
    return finish(fig)


def coverage_map(coverage: Mapping[str, Sequence[int]], chapters: Sequence[int],
                 labels: Mapping[str, str] | None = None) -> Figure:
    """A grid: one row per challenge, one column per chapter, filled where that chapter measured it.

    labels keys: title, xlabel, and one key per challenge name (its row label).
    """
    if not coverage:
        raise ValueError("coverage must map at least one challenge to its chapters")
    cols = list(chapters)
    grid = np.zeros((len(coverage), len(cols)))
    for i, chs in enumerate(coverage.values()):
        for c in chs:
            if c not in cols:
                raise ValueError(f"chapter {c} of {list(coverage)[i]!r} is not among the chapters {cols}")
            grid[i, cols.index(c)] = 1
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(coverage) + 1.2))
    ax.imshow(grid, cmap="Blues", aspect="auto", vmin=0, vmax=1.3)
    ax.set_yticks(range(len(coverage)), [label(labels, k, k) for k in coverage])
    ax.set_xticks(range(len(cols)), [f"{c:02d}" for c in cols])
    ax.set_xticks(np.arange(-0.5, len(cols)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(coverage)), minor=True)
    ax.grid(which="minor", color="white", lw=1.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel(label(labels, "xlabel", "chapter"))
    ax.set_title(label(labels, "title", "Which chapter measured which challenge"), fontsize=11)
    return finish(fig)
