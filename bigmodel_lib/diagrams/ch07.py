"""Figures of chapter 07 (the article's code example): how nn.Transformer wires a source, a target and their
masks, next to what the article's call builds; and the sampling loop of the character GPT."""
from __future__ import annotations

from matplotlib.figure import Figure

from . import arrow, box, canvas, finish, label, note


def transformer_wiring_figure(labels: dict | None = None) -> Figure:
    """Left: nn.Transformer's forward(src, tgt, masks) as the encoder, the decoder and where each mask acts.
    Right: the article's model, nn.Transformer(4, 2, 32) called as forward(x).

    Label keys: title, left, right, src, tgt, enc, dec_self, dec_cross, memory, out, src_pad, tgt_mask,
    mem_pad, a_x, a_pos, a_core, a_call, a_err.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(12.0, 6.2, title=L("title", "What nn.Transformer wires, and what the article's call builds"))
    note(ax, 3.4, 5.55, L("left", "nn.Transformer(d_model=32, nhead=2, num_encoder_layers=4, ...)"),
         fontsize=9, color="edge", style="normal")
    # encoder column
    box(ax, 0.3, 0.5, 2.2, 0.6, L("src", "src [B, S, d]\n(embedded + positions)"), color="input", fontsize=8)
    box(ax, 0.3, 2.0, 2.2, 1.2, L("enc", "encoder × N\nself-attention\n+ feed-forward"), color="attn", fontsize=9)
    arrow(ax, (1.4, 1.1), (1.4, 2.0))
    box(ax, 0.3, 3.9, 2.2, 0.55, L("memory", "memory [B, S, d]"), color="value", fontsize=9)
    arrow(ax, (1.4, 3.2), (1.4, 3.9))
    note(ax, 1.5, 1.55, L("src_pad", "src_key_padding_mask\n(True = PAD, ignore)"), fontsize=7, color="accent",
         ha="left")
    # decoder column
    box(ax, 3.9, 0.5, 2.4, 0.6, L("tgt", "tgt [B, T, d]\n(answer shifted right)"), color="input", fontsize=8)
    box(ax, 3.9, 1.9, 2.4, 0.75, L("dec_self", "decoder: masked\nself-attention"), color="attn", fontsize=9)
    arrow(ax, (5.1, 1.1), (5.1, 1.9))
    box(ax, 3.9, 3.1, 2.4, 0.75, L("dec_cross", "cross-attention\nto memory + FFN"), color="attn", fontsize=9)
    arrow(ax, (5.1, 2.65), (5.1, 3.1))
    arrow(ax, (2.5, 4.17), (3.9, 3.5), color="accent")
    box(ax, 3.9, 4.4, 2.4, 0.55, L("out", "output [B, T, d]"), color="output", fontsize=9)
    arrow(ax, (5.1, 3.85), (5.1, 4.4))
    note(ax, 5.2, 1.5, L("tgt_mask", "tgt_mask: causal\n(-inf above diagonal)"), fontsize=7, color="accent", ha="left")
    note(ax, 3.15, 4.55, L("mem_pad", "memory_key_\npadding_mask"), fontsize=7, color="accent")
    # divider
    ax.plot([6.9, 6.9], [0.3, 5.6], color="#BBBBBB", lw=1)
    # the article's model
    note(ax, 9.5, 5.55, L("right", "the article: nn.Transformer(4, 2, 32), forward(x)"), fontsize=9,
         color="edge", style="normal")
    box(ax, 7.4, 0.5, 1.9, 0.6, L("a_x", "x [B, S] tokens"), color="input", fontsize=8)
    box(ax, 9.7, 0.5, 2.0, 0.6, L("a_pos", "+ ONE vector [1, d]\n(same at every position)"), color="mem", fontsize=7)
    box(ax, 7.4, 1.9, 4.3, 1.5, L("a_core", "nn.Transformer(4, 2, 32) reads its arguments in ITS order:\n"
                                            "d_model = 4, nhead = 2, 32 encoder layers,\n"
                                            "6 decoder layers (default), d_ff = 2048,\n"
                                            "batch_first = False ([time, batch, d])"), color="neutral", fontsize=8)
    arrow(ax, (8.35, 1.1), (8.35, 1.9))
    arrow(ax, (10.7, 1.1), (10.7, 1.9))
    box(ax, 7.4, 3.9, 4.3, 0.55, L("a_call", "forward(x) passes src only"), color="neutral", fontsize=9)
    arrow(ax, (9.55, 3.4), (9.55, 3.9))
    box(ax, 7.4, 4.6, 4.3, 0.55, L("a_err", "TypeError: missing tgt; no masks; no head"), color="mem", fontsize=9,
        weight="bold")
    arrow(ax, (9.55, 4.45), (9.55, 4.6), color="accent")
    return finish(fig)


def sampling_loop_figure(labels: dict | None = None) -> Figure:
    """The character GPT's generate(): run the model, keep the last position's scores, divide by the temperature,
    softmax, draw one token, append it, repeat; with the KV cache only the new token is fed back.

    Label keys: title, prompt, model, logits, temp, softmax, sample, append, loop, cache.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(12.0, 3.6, title=L("title", "Sampling from a language model, one token at a time"))
    y = 1.4
    steps = [(0.2, 1.6, L("prompt", "tokens so far\n\"The \""), "input"),
             (2.3, 1.5, L("model", "GPT forward"), "attn"),
             (4.3, 1.6, L("logits", "scores of the\nLAST position [V]"), "output"),
             (6.4, 1.3, L("temp", "÷ temperature"), "norm"),
             (8.2, 1.2, L("softmax", "softmax\n→ probabilities"), "norm"),
             (9.9, 1.9, L("sample", "draw one token\n(multinomial; argmax\nif temperature 0)"), "query")]
    for x, w, text, color in steps:
        box(ax, x, y, w, 0.9, text, color=color, fontsize=8)
    for (x, w, *_), (nx, *_) in zip(steps, steps[1:]):
        arrow(ax, (x + w, y + 0.45), (nx, y + 0.45))
    arrow(ax, (10.85, y), (1.0, y), connection="arc3,rad=-0.25", color="accent",
          text=L("append", "append the token and repeat"), fontsize=9, text_offset=(0, -0.55))
    note(ax, 6.0, 2.85, L("cache", "with the KV cache, the next forward reads only the new token; the keys and values "
                                   "of the earlier ones are kept"), fontsize=9)
    return finish(fig)
