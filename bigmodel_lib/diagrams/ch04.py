"""Figures of chapter 04 (encoder and decoder): the two layers with their sub-layers and residual paths,
post-LN next to pre-LN, and teacher forcing next to greedy decoding."""
from __future__ import annotations

from matplotlib.figure import Figure

from . import arrow, box, canvas, finish, label, note


def _sublayer_stack(ax, x: float, y0: float, w: float, names: list[tuple[str, str]], gap: float = 0.35,
                    h: float = 0.5, norm_h: float = 0.32) -> list[tuple[float, float]]:
    """Draw sub-layers bottom-up, each followed by an 'Add & LayerNorm' box and a residual path around it.

    Returns the (bottom, top) y of each sub-layer box, so callers can attach arrows to them.
    """
    y, spans = y0, []
    for text, color in names:
        arrow(ax, (x + w / 2, y), (x + w / 2, y + gap))                         # into the sub-layer
        top = y + gap + h
        box(ax, x, y + gap, w, h, text, color=color, fontsize=9)
        spans.append((y + gap, top))
        box(ax, x, top + 0.18, w, norm_h, "Add & LayerNorm", color="norm", fontsize=8)
        arrow(ax, (x + w / 2, top), (x + w / 2, top + 0.18))
        # the residual path: from below the sub-layer, around its left side, into the Add
        ax.plot([x + w / 2, x - 0.25, x - 0.25], [y + gap / 2, y + gap / 2, top + 0.18 + norm_h / 2],
                color="#888888", lw=1.2)
        arrow(ax, (x - 0.25, top + 0.18 + norm_h / 2), (x, top + 0.18 + norm_h / 2), color="muted")
        y = top + 0.18 + norm_h
    return spans, y


def encoder_decoder_figure(labels: dict | None = None) -> Figure:
    """An encoder layer (2 sub-layers) and a decoder layer (3 sub-layers), with residual paths and the
    cross-attention reading keys and values from the encoder's output.

    Label keys: title, encoder, decoder, self_attn, ffn, masked, cross, src, tgt, memory, kv, out, residual.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(10.0, 6.3, title=L("title", "One encoder layer and one decoder layer (post-LN, as in 2017)"))
    # encoder
    ex, ew = 1.0, 2.8
    box(ax, ex, 0.3, ew, 0.45, L("src", "source tokens + positions"), color="input", fontsize=9)
    spans_e, top_e = _sublayer_stack(ax, ex, 0.75, ew, [(L("self_attn", "self-attention\n(every position reads all)"),
                                                        "attn"), (L("ffn", "feed-forward\n(each position alone)"),
                                                                  "ffn")])
    box(ax, ex, top_e + 0.4, ew, 0.45, L("memory", "encoder output (memory)"), color="output", fontsize=9)
    arrow(ax, (ex + ew / 2, top_e), (ex + ew / 2, top_e + 0.4))
    note(ax, ex + ew / 2, top_e + 1.15, L("encoder", "ENCODER LAYER"), color="edge", style="normal", fontsize=11)
    # decoder
    dx, dw = 6.0, 2.8
    box(ax, dx, 0.3, dw, 0.45, L("tgt", "target tokens so far + positions"), color="input", fontsize=9)
    spans_d, top_d = _sublayer_stack(ax, dx, 0.75, dw, [
        (L("masked", "masked self-attention\n(reads only earlier positions)"), "attn"),
        (L("cross", "cross-attention\n(Q: decoder; K, V: memory)"), "value"),
        (L("ffn", "feed-forward\n(each position alone)"), "ffn")])
    box(ax, dx, top_d + 0.4, dw, 0.45, L("out", "to the output layer: next token"), color="output", fontsize=9)
    arrow(ax, (dx + dw / 2, top_d), (dx + dw / 2, top_d + 0.4))
    note(ax, dx + dw / 2, top_d + 1.15, L("decoder", "DECODER LAYER"), color="edge", style="normal", fontsize=11)
    # cross-attention arrow: from the memory box to the cross-attention sub-layer
    cross_mid = (spans_d[1][0] + spans_d[1][1]) / 2
    arrow(ax, (ex + ew, top_e + 0.62), (dx, cross_mid), color="accent", lw=2.0,
          connection="arc3,rad=-0.2", text=L("kv", "keys, values"), fontsize=9, text_offset=(0.1, 0.35))
    note(ax, 5.0, 0.12, L("residual", "grey lines: residual paths, x + sub-layer(x), then LayerNorm"), fontsize=9)
    return finish(fig)


def post_pre_ln_figure(labels: dict | None = None) -> Figure:
    """Post-LN, x ← LN(x + f(x)), next to pre-LN, x ← x + f(LN(x)): where the LayerNorm sits on the residual path.

    Label keys: title, post, pre, f, ln, post_note, pre_note.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(10.0, 4.6, title=L("title", "Where the LayerNorm sits"))
    for x0, kind in ((0.6, "post"), (5.6, "pre")):
        cx = x0 + 1.9
        head = L("post", "post-LN (2017, the article)") if kind == "post" else L("pre", "pre-LN (GPT-2 and later)")
        note(ax, cx, 4.05, head, color="edge", style="normal", fontsize=11)
        note(ax, cx, 0.25, "x", color="edge", style="normal", fontsize=11)
        if kind == "post":
            box(ax, cx - 0.8, 1.2, 1.6, 0.5, L("f", "sub-layer f"), color="attn")
            plus_y = 2.3
            box(ax, cx - 0.8, 2.85, 1.6, 0.45, L("ln", "LayerNorm"), color="norm")
            arrow(ax, (cx, 0.45), (cx, 1.2))
            arrow(ax, (cx, 1.7), (cx, plus_y - 0.15))
            arrow(ax, (cx, plus_y + 0.15), (cx, 2.85))
            arrow(ax, (cx, 3.3), (cx, 3.75))
            note(ax, cx + 1.9, 2.3, L("post_note", "every output\nis normalised:\nthe stream stays\nat unit scale"),
                 fontsize=8.5)
        else:
            box(ax, cx - 0.8, 0.85, 1.6, 0.45, L("ln", "LayerNorm"), color="norm")
            box(ax, cx - 0.8, 1.6, 1.6, 0.5, L("f", "sub-layer f"), color="attn")
            plus_y = 2.8
            arrow(ax, (cx, 0.45), (cx, 0.85))
            arrow(ax, (cx, 1.3), (cx, 1.6))
            arrow(ax, (cx, 2.1), (cx, plus_y - 0.15))
            arrow(ax, (cx, plus_y + 0.15), (cx, 3.75))
            note(ax, cx + 1.9, 2.3, L("pre_note", "the residual path\nis untouched:\nthe stream is a\ngrowing sum"),
                 fontsize=8.5)
        ax.add_patch(__import__("matplotlib.patches", fromlist=["Circle"]).Circle(
            (cx, plus_y), 0.15, fc="white", ec="#333333", lw=1.2))
        ax.text(cx, plus_y, "+", ha="center", va="center", fontsize=11)
        # residual path
        ax.plot([cx, cx - 1.2, cx - 1.2], [0.6, 0.6, plus_y], color="#888888", lw=1.2)
        arrow(ax, (cx - 1.2, plus_y), (cx - 0.15, plus_y), color="muted")
    return finish(fig)


def teacher_forcing_figure(labels: dict | None = None) -> Figure:
    """Training with teacher forcing (the correct previous tokens are fed in, all steps at once) next to greedy
    decoding (the model's own previous outputs are fed back, one step at a time), on the reverse task.

    Label keys: title, tf, greedy, tf_note, greedy_note, decoder, step.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(10.0, 4.6, title=L("title", "Reversing 3 7 5: training vs generating"))
    # teacher forcing
    note(ax, 2.4, 4.0, L("tf", "training: teacher forcing"), color="edge", style="normal", fontsize=11)
    ins, outs = ["BOS", "5", "7", "3"], ["5", "7", "3", "EOS"]
    box(ax, 0.3, 1.65, 4.2, 0.7, L("decoder", "decoder (causal mask)"), color="attn", fontsize=9)
    for i, (a, b) in enumerate(zip(ins, outs)):
        x = 0.55 + i * 1.05
        box(ax, x, 0.6, 0.6, 0.45, a, color="input", fontsize=9)
        arrow(ax, (x + 0.3, 1.05), (x + 0.3, 1.65))
        box(ax, x, 2.95, 0.6, 0.45, b, color="output", fontsize=9)
        arrow(ax, (x + 0.3, 2.35), (x + 0.3, 2.95))
    note(ax, 2.4, 0.25, L("tf_note", "inputs: the CORRECT target shifted by one; all 4 steps in one pass"),
         fontsize=8.5)
    # greedy
    note(ax, 7.5, 4.0, L("greedy", "generating: greedy decoding"), color="edge", style="normal", fontsize=11)
    box(ax, 5.4, 1.65, 4.2, 0.7, L("decoder", "decoder (causal mask)"), color="attn", fontsize=9)
    for i, (a, b) in enumerate(zip(ins, outs)):
        x = 5.65 + i * 1.05
        fed = i > 0          # from step 2 on, the input is the model's own output of the step before
        box(ax, x, 0.6, 0.6, 0.45, outs[i - 1] if fed else a, color="input", fontsize=9,
            edgecolor="accent" if fed else None, lw=2.0 if fed else 1.2)
        arrow(ax, (x + 0.3, 1.05), (x + 0.3, 1.65))
        box(ax, x, 2.95, 0.6, 0.45, b, color="output", fontsize=9)
        arrow(ax, (x + 0.3, 2.35), (x + 0.3, 2.95))
        note(ax, x + 0.3, 3.6, L("step", "step {}").format(i + 1), fontsize=8)
    note(ax, 7.5, 0.25, L("greedy_note", "orange: its OWN output of the step before (the most likely token)"),
         fontsize=8.5)
    return finish(fig)
