"""Exercises of chapter 04 (encoder and decoder): what a causal mask lets change, how many parameters a layer has,
a post-LN encoder layer written from scratch (checked against PyTorch's), and the limits of the trained model."""
from __future__ import annotations

import torch
import torch.nn as nn

from ..i18n import tr
from . import Result, run_check, verdict


def _changed_by_torch(n: int, position: int) -> list[int]:
    """Output positions of PyTorch's causal decoder layer that move when the target token at `position` moves."""
    torch.manual_seed(0)
    layer = nn.TransformerDecoderLayer(16, 2, 32, dropout=0.0, batch_first=True).eval()
    mask = nn.Transformer.generate_square_subsequent_mask(n)
    tgt, memory = torch.randn(1, n, 16), torch.randn(1, 5, 16)
    tgt2 = tgt.clone()
    tgt2[0, position] += 2.0
    with torch.no_grad():
        diff = (layer(tgt, memory, tgt_mask=mask) - layer(tgt2, memory, tgt_mask=mask)).abs().amax(-1)[0]
    return [i for i in range(n) if diff[i] > 1e-6]


def exercise_1(positions) -> Result:
    """Which output positions of a causal decoder layer (target of 6, positions 0..5) change when the input at
    position 2 changes?"""
    name = "04.1 what the causal mask lets change"

    def check(ans):
        got = sorted({int(p) for p in ans})
        want = _changed_by_torch(6, 2)
        if got == want:
            return verdict(name, True, tr("right: {want}. Position i reads positions 0..i, so a change at 2 reaches 2 "
                                          "and every later position, never an earlier one (measured on PyTorch's "
                                          "decoder layer).", want=want), "")
        if got == list(range(6)):
            return verdict(name, False, "", tr("that is what happens WITHOUT the causal mask (the article's decoder). "
                                               "With it, position i may read only positions <= i."))
        if got == [2]:
            return verdict(name, False, "", tr("position 2 changes, but the later positions read position 2 too "
                                               "(through masked self-attention), so they change as well."))
        if got and max(got) <= 2:
            return verdict(name, False, "", tr("the mask hides the FUTURE: earlier positions cannot see position 2; "
                                               "later ones can."))
        return verdict(name, False, "", tr("you gave {got}. Ask, for each output position i: may it read position 2?",
                                           got=got))
    return run_check(name, positions, check)


def exercise_2(n_params) -> Result:
    """Parameters of one encoder layer with d_model = 512, d_ff = 2048 (8 heads), counted by PyTorch."""
    name = "04.2 parameters of an encoder layer"

    def check(v):
        d, f = 512, 2048
        want = sum(p.numel() for p in nn.TransformerEncoderLayer(d, 8, f).parameters())
        v = int(v)
        parts = {tr("attention (q, k, v, out: weights and biases)"): 4 * d * d + 4 * d,
                 tr("feed-forward (two linears with biases)"): 2 * d * f + f + d, tr("two LayerNorms"): 4 * d}
        if v == want:
            return verdict(name, True, tr("right: {want:,} = {parts}. The feed-forward net holds two thirds.",
                                          want=want, parts=" + ".join(f"{n:,} {k}" for k, n in parts.items())), "")
        hint = ""
        if v == 4 * d * d + 2 * d * f:
            hint = tr(" You counted the weight matrices only: add the biases and the LayerNorms' weights and biases.")
        elif v == want - 4 * d:
            hint = tr(" Add the two LayerNorms (a weight and a bias of size d each).")
        elif v == 2 * d * f + f + d + 4 * d:
            hint = tr(" You left out the attention projections.")
        return verdict(name, False, "", tr("you gave {v:,}, PyTorch counts {want:,}.{hint} The parts: {parts}", v=v,
                                           want=want, hint=hint, parts=tr("; ").join(f"{k}" for k in parts)))
    return run_check(name, n_params, check)


def exercise_3(layer_fn) -> Result:
    """my_encoder_layer(x, layer): the output of a post-LN nn.TransformerEncoderLayer, from its weights."""
    name = "04.3 a post-LN encoder layer from scratch"

    def check(fn):
        cases = [(2, 5, 16, 4, 32), (1, 9, 24, 3, 48), (3, 4, 8, 1, 8)]
        for b, t, d, h, f in cases:
            torch.manual_seed(b * 100 + t)
            layer = nn.TransformerEncoderLayer(d, h, f, dropout=0.0, batch_first=True).eval()
            x = torch.randn(b, t, d)
            with torch.no_grad():
                want = layer(x)
                got = fn(x.clone(), layer)
            got = torch.as_tensor(got)
            if got.shape != want.shape:
                return verdict(name, False, "", tr("for x of shape {shape} you returned {got}; the layer keeps the "
                                                   "shape [batch, T, d].", shape=tuple(x.shape), got=tuple(got.shape)))
            err = (got - want).abs().max().item()
            if err > 1e-4:
                hint = tr(" Check: heads are split as [batch, heads, T, d/heads] and the scores divided by "
                          "sqrt(d/heads), not sqrt(d); post-LN is x = norm1(x + attention(x)), then "
                          "x = norm2(x + linear2(relu(linear1(x)))).")
                return verdict(name, False, "", tr("with d={d}, {h} heads your output differs from PyTorch's by up to "
                                                   "{err:.3g}.{hint}", d=d, h=h, err=err, hint=hint))
        return verdict(name, True, tr("right on {n} shapes you had not seen, including a single head: "
                                      "your layer is PyTorch's layer.", n=len(cases)), "")
    return run_check(name, layer_fn, check)


def exercise_4(source, model, data) -> Result:
    """A source sequence (symbols 0..9) that the trained reverse model gets wrong."""
    name = "04.4 find where the model breaks"

    def check(src):
        from ..data import EOS, N_SPECIAL
        n_symbols = data.vocab_size - N_SPECIAL
        src = [int(s) for s in src]
        if not src or any(not 0 <= s < n_symbols for s in src):
            return verdict(name, False, "", tr("give a non-empty list of symbols in 0..{last}.", last=n_symbols - 1))
        if len(src) + 2 > model.max_len:
            return verdict(name, False, "", tr("at most {n} symbols (the model's positions end there).",
                                               n=model.max_len - 2))
        dev = next(model.parameters()).device
        ids = torch.tensor([[s + N_SPECIAL for s in src] + [EOS]], device=dev)
        out = model.greedy_decode(ids, max_len=len(src) + 1)[0].tolist()
        want = [s + N_SPECIAL for s in reversed(src)] + [EOS]
        got = out[:len(want)]
        shown = [t - N_SPECIAL if t >= N_SPECIAL else {0: "PAD", 1: "BOS", 2: "EOS"}[t] for t in got]
        trained = f"{min((data.splits['train'][0] > 2).sum(1)).item()}..{data.max_len}"
        if got != want:
            return verdict(name, True, tr("found one: for {src} the model wrote {shown}, not {want} + EOS. It was "
                                          "trained on {trained} symbols; inputs outside what it saw (other lengths, "
                                          "patterns) are where a learnt rule shows its limits.", src=src, shown=shown,
                                          want=list(reversed(src)), trained=trained), "")
        return verdict(name, False, "", tr("the model reversed {src} correctly. It learnt lengths {trained} well; "
                                           "try what it never saw in training.", src=src, trained=trained))
    return run_check(name, source, check)
