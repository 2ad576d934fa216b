"""Conceptual figures of the chapters: the pictures a teacher draws on a board, drawn with matplotlib.

One sub-module per chapter (`ch03`, `ch09`, ...) builds its figures from the few primitives here. Every
piece of text in a figure is passed in through a `labels` dict whose keys the function documents, so a
translated edition can pass its own words; defaults are English, and under `lang="zh"` they are looked up in
the library's catalogues (`i18n.figure_text`: Chinese only where a CJK font can draw it). Figures are plain
matplotlib, so they show in JupyterLab and are embedded as PNG in the HTML pages that `bigmodel run` writes.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from ..i18n import figure_text

# A small, colour-blind-safe palette (Okabe-Ito), named by role so chapters stay consistent.
COLORS = {
    "input": "#E8F1FA", "query": "#F6C85F", "key": "#6FB1E4", "value": "#9BD3AE",
    "weight": "#F4A582", "output": "#D5C7F0", "norm": "#FFE9A8", "ffn": "#C8E6C9",
    "attn": "#BBDEFB", "mem": "#FFCDD2", "neutral": "#EEEEEE", "accent": "#D55E00",
    "edge": "#333333", "muted": "#888888",
}


def _check_ax(ax) -> None:
    if not isinstance(ax, plt.Axes):
        raise TypeError(f"ax must be a matplotlib Axes (from diagrams.canvas), got {type(ax).__name__}")


#: While not None, every default that `label` looks up is added here (the translation tests use it to find
#: labels without a translation).
RECORDED: set[str] | None = None


def label(labels: Mapping[str, str] | None, key: str, default: str) -> str:
    """The text for `key`: the caller's own text if given, else the default in the current language
    (`i18n.figure_text`: English unless lang="zh" and a CJK font is there)."""
    if labels is not None and not isinstance(labels, Mapping):
        raise TypeError(f"labels must be a dict of str -> str, got {type(labels).__name__}")
    if labels and key in labels:
        return str(labels[key])
    if RECORDED is not None:
        RECORDED.add(default)
    return figure_text(default)


def canvas(width: float = 8.0, height: float = 4.0, *, xlim: tuple[float, float] | None = None,
           ylim: tuple[float, float] | None = None, title: str | None = None) -> tuple[Figure, plt.Axes]:
    """A blank figure whose data coordinates equal inches (unless xlim/ylim say otherwise), no axes drawn."""
    if width <= 0 or height <= 0:
        raise ValueError(f"width and height must be > 0 inches, got {width} x {height}")
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set_xlim(*(xlim or (0, width)))
    ax.set_ylim(*(ylim or (0, height)))
    ax.set_aspect("equal" if xlim is None and ylim is None else "auto")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=12, fontweight="bold")
    return fig, ax


def box(ax: plt.Axes, x: float, y: float, w: float, h: float, text: str = "", *, color: str = "neutral",
        fontsize: float = 10, rounded: bool = True, edgecolor: str | None = None, lw: float = 1.2,
        textcolor: str = "black", weight: str = "normal", alpha: float = 1.0) -> FancyBboxPatch:
    """A labelled box with its lower-left corner at (x, y); `color` is a COLORS role or any colour."""
    _check_ax(ax)
    if w <= 0 or h <= 0:
        raise ValueError(f"w and h must be > 0, got w={w}, h={h}")
    fc = COLORS.get(color, color)
    style = "round,pad=0.02,rounding_size=0.08" if rounded else "square,pad=0.0"
    patch = FancyBboxPatch((x, y), w, h, boxstyle=style, fc=fc, ec=COLORS.get(edgecolor or "edge", edgecolor),
                           lw=lw, alpha=alpha)
    ax.add_patch(patch)
    if text:
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize, color=textcolor,
                fontweight=weight, wrap=False)
    return patch


def arrow(ax: plt.Axes, start: tuple[float, float], end: tuple[float, float], *, color: str = "edge",
          lw: float = 1.4, style: str = "-|>", connection: str = "arc3,rad=0.0", text: str = "",
          fontsize: float = 9, text_offset: tuple[float, float] = (0.0, 0.0), ls: str = "-") -> FancyArrowPatch:
    """An arrow from `start` to `end`; `connection` bends it ("arc3,rad=0.3"); `text` sits at its middle."""
    _check_ax(ax)
    patch = FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, lw=lw, linestyle=ls,
                            color=COLORS.get(color, color), connectionstyle=connection, shrinkA=2, shrinkB=2)
    ax.add_patch(patch)
    if text:
        mx = (start[0] + end[0]) / 2 + text_offset[0]
        my = (start[1] + end[1]) / 2 + text_offset[1]
        ax.text(mx, my, text, ha="center", va="center", fontsize=fontsize,
                bbox=dict(fc="white", ec="none", pad=0.5, alpha=0.9))
    return patch


def matrix(ax: plt.Axes, x: float, y: float, values: Sequence[Sequence[float]], *, cell: float = 0.4,
           fmt: str = "{:.2f}", cmap: str = "Blues", vmin: float | None = None, vmax: float | None = None,
           row_labels: Sequence[str] | None = None, col_labels: Sequence[str] | None = None,
           fontsize: float = 8, show_values: bool = True, title: str = "") -> None:
    """A small matrix drawn as coloured cells with its numbers, top-left cell at (x, y + rows·cell)."""
    _check_ax(ax)
    rows = [list(r) for r in values]
    if not rows or any(len(r) != len(rows[0]) for r in rows):
        raise ValueError("values must be a non-empty rectangular list of rows")
    flat = [float(v) for r in rows for v in r]
    lo = min(flat) if vmin is None else vmin
    hi = max(flat) if vmax is None else vmax
    cm = plt.get_cmap(cmap)
    n, m = len(rows), len(rows[0])
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            t = 0.0 if hi == lo else (float(v) - lo) / (hi - lo)
            cx, cy = x + j * cell, y + (n - 1 - i) * cell
            ax.add_patch(Rectangle((cx, cy), cell, cell, fc=cm(0.1 + 0.8 * t), ec="white", lw=1))
            if show_values:
                ax.text(cx + cell / 2, cy + cell / 2, fmt.format(v), ha="center", va="center",
                        fontsize=fontsize, color="white" if t > 0.6 else "black")
    if row_labels:
        for i, s in enumerate(row_labels):
            ax.text(x - 0.08, y + (n - 1 - i) * cell + cell / 2, s, ha="right", va="center", fontsize=fontsize)
    if col_labels:
        for j, s in enumerate(col_labels):
            ax.text(x + j * cell + cell / 2, y + n * cell + 0.08, s, ha="center", va="bottom",
                    fontsize=fontsize)
    if title:
        ax.text(x + m * cell / 2, y - 0.15, title, ha="center", va="top", fontsize=fontsize + 1)


def note(ax: plt.Axes, x: float, y: float, text: str, *, fontsize: float = 9, color: str = "muted",
         ha: str = "center", va: str = "center", style: str = "italic") -> None:
    """A free-standing annotation."""
    _check_ax(ax)
    ax.text(x, y, text, ha=ha, va=va, fontsize=fontsize, color=COLORS.get(color, color), style=style)


def finish(fig: Figure) -> Figure:
    """Tighten the layout and return the figure (chapters call `plt.show()` or let Jupyter display it)."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    fig.tight_layout()
    return fig
