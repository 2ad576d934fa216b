"""Conceptual figures of chapter 01 (background): a timeline of milestones, and the three challenges as a map
of the course."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from . import COLORS, box, canvas, finish, label, note


def timeline(events: Sequence[tuple[float, str, str]], labels: Mapping[str, str] | None = None) -> Figure:
    """Milestones on a time axis. `events`: (decimal year, name, kind) with kind "model" (a model of the
    table) or "idea" (a paper that changed how models are built); names alternate above and below the axis.

    Label keys: title, model, idea.
    """
    if not events:
        raise ValueError("events must be a non-empty list of (year, name, kind)")
    for e in events:
        if len(e) != 3 or e[2] not in ("model", "idea"):
            raise ValueError(f"each event must be (year, name, 'model' | 'idea'), got {e!r}")
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    events = sorted(events, key=lambda e: e[0])
    y0, y1 = int(min(e[0] for e in events)), int(max(e[0] for e in events)) + 1
    fig, ax = canvas(12.0, 4.6, xlim=(y0 - 0.3, y1 + 0.3), ylim=(-2.6, 2.6),
                     title=L("title", "Milestones, 2017 to 2024"))
    ax.plot([y0 - 0.2, y1 + 0.2], [0, 0], color=COLORS["edge"], lw=1.5)
    for yr in range(y0, y1 + 1):
        ax.plot([yr, yr], [-0.08, 0.08], color=COLORS["edge"], lw=1)
        ax.text(yr, -0.22, str(yr), ha="center", va="top", fontsize=9)
    # stems of four heights alternate above and below, so neighbouring names do not collide
    heights = [1.0, -1.0, 1.9, -1.9]
    for i, (t, name, kind) in enumerate(events):
        h = heights[i % 4]
        color = COLORS["key"] if kind == "model" else COLORS["accent"]
        ax.plot([t, t], [0, h], color=color, lw=1, alpha=0.8)
        ax.plot([t], [0], "o", color=color, ms=6, zorder=3)
        text = L(name, name) if kind == "idea" else name     # model names stay as published; ideas translate
        ax.text(t, h + (0.08 if h > 0 else -0.08), text, ha="center", va="bottom" if h > 0 else "top",
                fontsize=8.5, color="black" if kind == "model" else COLORS["accent"],
                bbox=dict(fc="white", ec=color, boxstyle="round,pad=0.2", lw=0.8))
    ax.plot([], [], "o", color=COLORS["key"], label=L("model", "a model of data/models.csv"))
    ax.plot([], [], "o", color=COLORS["accent"], label=L("idea", "a paper that changed the recipe"))
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return finish(fig)


def challenges_map(labels: Mapping[str, str] | None = None) -> Figure:
    """The article's challenges as three columns (compute and time, data, interpretability), each with the
    question it asks and the chapters that answer it; attention and the encoder/decoder underneath all three.

    Label keys: title, compute, data, interp, q_compute, q_data, q_interp, foundation, and ch02 .. ch13.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(11.0, 5.6, title=L("title", "The three challenges: a map of the course"))
    cols = [
        (L("compute", "Compute and time"), L("q_compute", "How many FLOPs, bytes\nand GPU-days?"), "attn",
         [("ch01c", L("ch01c", "01 §3-4: 6·N·D, GPT-3 in GPU-years")),
          ("ch02", L("ch02", "02 bytes per parameter, FLOP/s")),
          ("ch05", L("ch05", "05 training time = FLOPs / rate")),
          ("ch09", L("ch09", "09 many GPUs: distributed")), ("ch10", L("ch10", "10 fewer bits: quantization")),
          ("ch11", L("ch11", "11 not enough compute"))]),
        (L("data", "Data"), L("q_data", "How many tokens for\nhow many parameters?"), "ffn",
         [("ch01d", L("ch01d", "01 §2: tokens per parameter")),
          ("ch02d", L("ch02d", "02 more distinct data, lower loss")),
          ("ch07", L("ch07", "07 a model trained on a corpus")),
          ("ch08", L("ch08", "08 scaling laws (Chinchilla)"))]),
        (L("interp", "Interpretability"), L("q_interp", "What did the model\nlearn, and why?"), "output",
         [("ch01i", L("ch01i", "01 §5: heads and neurons to explain")),
          ("ch06", L("ch06", "06 what an explanation is")),
          ("ch12", L("ch12", "12 scoring explanation methods"))]),
    ]
    cw, gap, x = 3.3, 0.3, 0.35
    top = 4.55
    for title, q, color, chapters in cols:
        box(ax, x, top, cw, 0.55, title, color=color, fontsize=11, weight="bold")
        note(ax, x + cw / 2, top - 0.35, q, fontsize=9)
        y = top - 0.85
        for ck, text in chapters:
            here = ck.startswith("ch01")
            box(ax, x + 0.15, y - 0.42, cw - 0.3, 0.42, text, color="norm" if here else "white",
                fontsize=9, weight="bold" if here else "normal")
            y -= 0.52
        x += cw + gap
    base_w = 3 * cw + 2 * gap
    box(ax, 0.35, 0.15, base_w, 0.45, L("foundation", "Underneath all three: the machinery, 03 attention and 04 "
                                        "encoder and decoder.  Chapter 13 measures all three again."),
        color="neutral", fontsize=9.5)
    note(ax, 0.35 + base_w, top + 0.75, L("here", "yellow: this chapter"), ha="right", fontsize=9)
    return finish(fig)
