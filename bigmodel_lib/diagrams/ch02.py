"""Conceptual figures of chapter 02 (core concepts): where a GPT's parameters sit, what a parameter costs in
bytes, and how a text becomes tokens."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from . import COLORS, arrow, box, canvas, finish, label, note


def block_parameters(labels: Mapping[str, str] | None = None) -> Figure:
    """The library's GPT drawn bottom to top, every piece annotated with its parameter count: the block's
    4·d² (attention) + 8·d² (feed-forward) = 12·d², and the embeddings' V·d and T·d outside the blocks.

    Label keys: title, tokens, tok_emb, pos_emb, ln, attn, ffn, add, head, block_total, repeat, total, and the
    annotation keys n_tok, n_pos, n_ln, n_attn, n_ffn, n_lnf, n_head.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(11.0, 8.4,
                     title=L("title", "Where the parameters of a GPT sit (width d, vocabulary V, context T)"))
    cx, w = 1.2, 3.6          # the column of layers
    ann_x = cx + w + 0.5      # where the counts are written
    h = 0.5

    def layer(y, key, text, color, nkey, ntext, bold=False):
        box(ax, cx, y, w, h, L(key, text), color=color, fontsize=9.5)
        ax.text(ann_x, y + h / 2, L(nkey, ntext), ha="left", va="center", fontsize=9.5,
                fontweight="bold" if bold else "normal")

    # embeddings
    box(ax, cx + 0.7, 0.15, w - 1.4, 0.4, L("tokens", "token ids (T of them)"), color="white", fontsize=9)
    arrow(ax, (cx + w / 2, 0.57), (cx + w / 2, 0.85))
    box(ax, cx, 0.85, w / 2 - 0.05, h, L("tok_emb", "token embedding"), color="input", fontsize=9)
    box(ax, cx + w / 2 + 0.05, 0.85, w / 2 - 0.05, h, L("pos_emb", "position embedding"), color="input", fontsize=9)
    ax.text(ann_x, 0.85 + h / 2, L("n_tok", "V·d  +  T·d   (a table of V rows and one of T rows, each d wide)"),
            ha="left", va="center", fontsize=9.5, fontweight="bold")
    arrow(ax, (cx + w / 2, 0.85 + h + 0.02), (cx + w / 2, 1.7))

    # one block, drawn inside a frame
    y0 = 1.7
    frame = FancyBboxPatch((cx - 0.35, y0), w + 0.7, 4.45, boxstyle="round,pad=0.02,rounding_size=0.12",
                           fc="none", ec=COLORS["muted"], lw=1.3, ls="--")
    ax.add_patch(frame)
    ax.text(cx - 0.5, y0 + 2.2, L("repeat", "× L blocks"), ha="right", va="center", fontsize=11, fontweight="bold",
            rotation=90)
    layer(y0 + 0.15, "ln", "LayerNorm", "norm", "n_ln", "2d   (scale and shift)")
    layer(y0 + 0.85, "attn", "attention: W_Q, W_K, W_V, W_O", "attn", "n_attn",
          "4·d²  + 4d   (four d×d matrices and their biases)", bold=True)
    box(ax, cx + w / 2 - 0.25, y0 + 1.5, 0.5, 0.32, L("add", "+"), color="white", fontsize=10)
    layer(y0 + 2.0, "ln2", "LayerNorm", "norm", "n_ln2", "2d")
    layer(y0 + 2.7, "ffn", "feed-forward: d → 4d → d", "ffn", "n_ffn",
          "8·d²  + 5d   (d×4d and 4d×d, biases 4d and d)", bold=True)
    box(ax, cx + w / 2 - 0.25, y0 + 3.35, 0.5, 0.32, L("add", "+"), color="white", fontsize=10)
    for a, b in ((0.15 + h, 0.85), (0.85 + h, 1.5), (1.82, 2.0), (2.0 + h, 2.7), (2.7 + h, 3.35), (3.67, 4.45)):
        arrow(ax, (cx + w / 2, y0 + a + 0.01), (cx + w / 2, y0 + b - 0.01), lw=1.1)
    # residual paths around each sub-layer
    rx = cx - 0.18
    for start, end in ((0.07, 1.66), (1.91, 3.51)):
        ax.plot([cx + w / 2, rx, rx], [y0 + start, y0 + start, y0 + end], color=COLORS["muted"], lw=1.1)
        arrow(ax, (rx, y0 + end), (cx + w / 2 - 0.25, y0 + end), color="muted", lw=1.1)
    ax.text(rx - 0.04, y0 + 0.85, L("residual", "residual"), ha="right", va="center", fontsize=8, rotation=90,
            color=COLORS["muted"], style="italic")
    ax.text(ann_x, y0 + 3.95, L("block_total", "one block:  12·d²  + 13d"), ha="left", va="center", fontsize=11,
            fontweight="bold", color=COLORS["accent"])
    ax.plot([ann_x - 0.15, ann_x - 0.15], [y0 + 0.2, y0 + 3.6], color=COLORS["accent"], lw=1.5)

    # top
    yt = y0 + 4.45 + 0.25
    arrow(ax, (cx + w / 2, yt - 0.25), (cx + w / 2, yt))
    layer(yt, "lnf", "final LayerNorm", "norm", "n_lnf", "2d")
    arrow(ax, (cx + w / 2, yt + h + 0.01), (cx + w / 2, yt + 0.75))
    layer(yt + 0.75, "head", "output head → V scores", "output", "n_head",
          "0   (reuses the token embedding: tied weights)")
    note(ax, ann_x, 0.2, L("total", "N = L·(12d² + 13d) + V·d + T·d + 2d  ≈  12·L·d² + V·d"), ha="left",
         fontsize=11, color="edge", style="normal")
    return finish(fig)


# role colours of the bytes-per-parameter picture
_BYTE_ROLES = {"weight": "#6FB1E4", "grad": "#F4A582", "master": "#9BD3AE", "m": "#D5C7F0", "v": "#F6C85F",
               "weight16": "#6FB1E4", "grad16": "#F4A582"}


def bytes_per_parameter(labels: Mapping[str, str] | None = None) -> Figure:
    """What one parameter costs, drawn one square per byte: stored in fp32 / bf16 / int8, and trained with Adam in
    fp32 or in mixed precision (both 16 bytes, split differently).

    Label keys: title, fp32, bf16, int8, adam32, adam_mixed, weight, grad, weight16, grad16, master, m, v, byte,
    bytes, foot.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    rows = [
        ("fp32", "store in fp32", [("weight", 4)]),
        ("bf16", "store in bf16", [("weight", 2)]),
        ("int8", "store in int8", [("weight", 1)]),
        ("adam32", "train in fp32 with Adam", [("weight", 4), ("grad", 4), ("m", 4), ("v", 4)]),
        ("adam_mixed", "train in mixed precision\nwith Adam", [("weight16", 2), ("grad16", 2), ("master", 4), ("m", 4),
                                                               ("v", 4)]),
    ]
    names = {"weight": L("weight", "weight"), "grad": L("grad", "gradient"), "master": L("master", "fp32 master copy"),
             "m": L("m", "Adam m"), "v": L("v", "Adam v"), "weight16": L("weight16", "bf16 weight"),
             "grad16": L("grad16", "bf16 grad")}
    cell, x0 = 0.42, 3.1
    fig, ax = canvas(11.0, 5.4, title=L("title", "What one parameter costs, one square per byte"))
    y = 4.3
    for i, (key, text, parts) in enumerate(rows):
        if i == 3:
            y -= 0.35
            ax.plot([0.2, 10.8], [y + 0.62, y + 0.62], color=COLORS["muted"], lw=0.8, ls=":")
        ax.text(x0 - 0.2, y + cell / 2, L(key, text), ha="right", va="center", fontsize=10)
        x = x0
        for role, n in parts:
            for j in range(n):
                ax.add_patch(Rectangle((x + j * cell, y), cell, cell, fc=_BYTE_ROLES[role], ec="white", lw=1.5))
            if i >= 3:
                ax.text(x + n * cell / 2, y + cell + 0.05, names[role], ha="center", va="bottom", fontsize=8)
            x += n * cell
        total = sum(n for _, n in parts)
        unit = L("byte", "{n} byte") if total == 1 else L("bytes", "{n} bytes")
        ax.text(x + 0.15, y + cell / 2, unit.format(n=total), ha="left", va="center",
                fontsize=10, fontweight="bold")
        y -= 0.85 if i < 3 else 1.0
    note(ax, 0.2, 0.15, L("foot", "Activations (what the forward pass keeps for the backward pass) come on top; "
                                  "chapter 11 counts them."), ha="left", fontsize=9)
    return finish(fig)


def tokenizations(rows: Sequence[tuple[str, Sequence[str]]], labels: Mapping[str, str] | None = None) -> Figure:
    """One text cut into tokens several ways, one row per tokenizer: `rows` is [(name, pieces), ...] where the
    pieces joined give the text back. Each piece is drawn as a box whose width follows its length, so the
    rows line up character by character.

    Label keys: title, count ("{n} tokens").
    """
    if not rows:
        raise ValueError("rows must be a non-empty list of (name, pieces)")
    texts = {"".join(p) for _, p in rows}
    if len(texts) != 1:
        raise ValueError("every row's pieces must join to the same text")
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    text = texts.pop()
    char_w = min(0.3, 9.0 / max(len(text), 1))
    width = 2.6 + len(text) * char_w + 1.4
    fig, ax = canvas(width, 0.6 + 0.9 * len(rows), title=L("title", "One text, three ways to cut it into tokens"))
    palette = [COLORS["query"], COLORS["key"], COLORS["value"], COLORS["weight"]]
    y = 0.9 * len(rows) - 0.55
    for name, pieces in rows:
        ax.text(2.4, y + 0.25, name, ha="right", va="center", fontsize=10)
        x = 2.6
        for i, p in enumerate(pieces):
            pw = len(p) * char_w
            ax.add_patch(Rectangle((x, y), pw, 0.5, fc=palette[i % len(palette)], ec="white", lw=1.5))
            shown = p.replace(" ", "␣").replace("\n", "⏎")
            ax.text(x + pw / 2, y + 0.25, shown, ha="center", va="center", fontsize=9, family="monospace")
            x += pw
        ax.text(x + 0.15, y + 0.25, L("count", "{n} tokens").format(n=len(pieces)), ha="left", va="center",
                fontsize=10, fontweight="bold")
        y -= 0.9
    return finish(fig)
