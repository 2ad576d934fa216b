"""Exercises of chapter 07 (the article's code example, debugged)."""
from __future__ import annotations

import warnings

import torch
import torch.nn as nn

from ..i18n import tr
from . import Result, run_check, verdict


def exercise_1(make_core) -> Result:
    """`make_core(n_layers, n_heads, d)` must build the nn.Transformer the article meant, by keyword."""
    name = "07.1 nn.Transformer by keyword"

    def check(fn):
        for n_layers, n_heads, d in [(4, 2, 32), (2, 4, 64), (3, 8, 16)]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")   # nested-tensor notices from nn.Transformer's constructor
                core = fn(n_layers, n_heads, d)
            if not isinstance(core, nn.Transformer):
                return Result(name, False, tr("make_core must return an nn.Transformer, got {type_name}",
                                                  type_name=type(core).__name__))
            got = dict(d_model=core.d_model, nhead=core.nhead, num_encoder_layers=len(core.encoder.layers),
                       num_decoder_layers=len(core.decoder.layers),
                       dim_feedforward=core.encoder.layers[0].linear1.out_features, batch_first=core.batch_first)
            want = dict(d_model=d, nhead=n_heads, num_encoder_layers=n_layers, num_decoder_layers=n_layers,
                        dim_feedforward=4 * d, batch_first=True)
            wrong = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
            if wrong:
                hint = ""
                if got["d_model"] == n_layers:
                    hint = tr(" d_model received the layer count: that is the positional-argument bug; use keywords.")
                elif "num_decoder_layers" in wrong:
                    hint = tr(" num_decoder_layers has its own keyword (its default is 6).")
                elif "batch_first" in wrong:
                    hint = tr(" batch_first=True makes nn.Transformer read [batch, time, d].")
                details = ", ".join(tr("{k}={g} (expected {w})", k=k, g=g, w=w) for k, (g, w) in wrong.items())
                return Result(name, False, tr("for (n_layers, n_heads, d) = ({n_layers}, {n_heads}, {d}) the model "
                                              "has {details}.{hint}", n_layers=n_layers, n_heads=n_heads, d=d,
                                              details=details, hint=hint))
        return verdict(name, True, tr("right: d_model=, nhead=, num_encoder_layers=, num_decoder_layers=, "
                                      "dim_feedforward= and batch_first=True, each by name, build what was meant."),
                       "")
    return run_check(name, make_core, check)


def exercise_2(nn_causal_mask) -> Result:
    """`nn_causal_mask(T)` must return the [T, T] causal mask in nn.Transformer's convention."""
    name = "07.2 causal mask for nn.Transformer"

    def check(fn):
        for T in (1, 4, 7):
            m = fn(T)
            blocked = torch.ones(T, T, dtype=torch.bool).triu(1)   # key j > query i must be hidden
            if not isinstance(m, torch.Tensor) or m.shape != (T, T):
                got = tuple(m.shape) if isinstance(m, torch.Tensor) else type(m).__name__
                return Result(name, False, tr("for T={T} expected a [{T}, {T}] tensor, got {got}", T=T, got=got))
            if m.dtype == torch.bool:
                if torch.equal(m, blocked):
                    continue
                if torch.equal(m, ~blocked):
                    return Result(name, False, tr("this is the 'True = may attend' convention of "
                                                  "F.scaled_dot_product_attention and bigmodel_lib; nn.Transformer's "
                                                  "bool masks mean True = blocked, so it would hide the past and show "
                                                  "the future. Invert it."))
                return Result(name, False, tr("for T={T} the bool mask should be True exactly above the diagonal "
                                              "(key after query), got\n{mask}", T=T, mask=m.int()))
            if m.is_floating_point():
                is_blocked = torch.isneginf(m)
                if torch.equal(is_blocked, blocked) and bool((m[~is_blocked] == 0).all()):
                    continue
                return Result(name, False, tr("for T={T} a float mask must be -inf exactly above the diagonal and 0 "
                                              "elsewhere (it is added to the scores), got\n{mask}", T=T, mask=m))
            return Result(name, False, tr("the mask must be bool or floating point, got {dtype}", dtype=m.dtype))
        return verdict(name, True, tr("right: position i may attend to keys 0..i only; nn.Transformer "
                                      "blocks where a bool mask is True or a float mask is -inf."), "")
    return run_check(name, nn_causal_mask, check)


def exercise_3(task) -> Result:
    """Which synthetic task can a model blind to the source's order solve?"""
    name = "07.3 an order-blind task"

    def check(answer):
        answer = str(answer).strip().lower()
        if answer not in ("copy", "reverse", "sort"):
            return Result(name, False, tr("answer one of 'copy', 'reverse', 'sort'; got {answer}", answer=repr(answer)))
        return verdict(name, answer == "sort",
                       tr("right: the sorted output depends only on WHICH tokens the source holds (its multiset), "
                          "not on their order, and the shared-vector model sees exactly the multiset."),
                       tr("{answer} needs the source's order: '3 4 5' and '5 4 3' have different answers, but "
                          "the shared-vector model cannot tell them apart. Look for a task whose answer is the same "
                          "for every ordering of the source.", answer=repr(answer)))
    return run_check(name, task, check)


def exercise_4(sample_next) -> Result:
    """`sample_next(logits, temperature, generator)`: one token id per row of logits [B, V], drawn from
    softmax(logits / temperature); temperature 0 means the most likely token."""
    name = "07.4 the sampling step"

    def check(fn):
        logits = torch.tensor([[2.0, 1.0, 0.0, -1.0], [0.0, 0.0, 3.0, 0.0]])
        g = torch.Generator().manual_seed(7)
        greedy = fn(logits, 0.0, g)
        if not isinstance(greedy, torch.Tensor) or greedy.numel() != 2:
            return Result(name, False, tr("return a tensor of one token id per row of logits (shape [B] or [B, 1])"))
        if greedy.flatten().tolist() != [0, 2]:
            return Result(name, False, tr("at temperature 0 the answer is the argmax of each row ([0, 2]), got "
                                          "{got}; dividing by 0 needs its own branch.",
                                          got=greedy.flatten().tolist()))
        for temperature in (1.0, 0.5, 2.0):
            want = torch.softmax(logits / temperature, -1)
            counts = torch.zeros_like(want)
            for _ in range(2000):
                tok = fn(logits, temperature, g).flatten()
                counts[0, tok[0]] += 1
                counts[1, tok[1]] += 1
            freq = counts / 2000
            gap = float((freq - want).abs().max())
            if gap > 0.04:
                hint = ""
                if float((freq - torch.softmax(logits, -1)).abs().max()) < 0.04 and temperature != 1.0:
                    hint = tr(" Your frequencies ignore the temperature: divide the logits by it before the softmax.")
                elif float((freq - torch.softmax(logits * temperature, -1)).abs().max()) < 0.04:
                    hint = tr(" You multiplied by the temperature; divide: a low temperature must sharpen the "
                              "distribution.")
                return Result(name, False, tr("at temperature {temperature} the frequencies over 2000 draws are "
                                              "{freq}, expected about {want}.{hint}", temperature=temperature,
                                              freq=[[round(v, 2) for v in row] for row in freq.tolist()],
                                              want=[[round(v, 2) for v in row] for row in want.tolist()],
                                              hint=hint))
        return verdict(name, True, tr("right: a temperature below 1 sharpens the distribution towards the argmax, "
                                      "above 1 flattens it; 0 is the limit, greedy decoding."), "")
    return run_check(name, sample_next, check)


def _words(texts):
    import re
    return [w for t in texts for w in re.findall(r"[A-Za-z]{2,}", t[4:])]   # skip the 4-character prompt


def exercise_5(answer) -> Result:
    """Explore: `answer = (temperature, texts, baseline)`: samples of the chapter's trained GPT at a temperature of
    your choice, and the chapter's real-word fraction at 0.7. Goal: at least 5 points more real words than the
    baseline while at least 40% of the words stay distinct (repeating one word forever is not the answer)."""
    name = "07.5 choose a temperature"

    def check(a):
        import re

        from ..data import load_corpus
        temperature, texts, baseline = a
        if not isinstance(texts, (list, tuple)) or not all(isinstance(t, str) for t in texts):
            return Result(name, False, tr("texts must be the list of strings that sample(...) returned"))
        words = _words(texts)
        if len(words) < 50:
            return Result(name, False, tr("only {n} words in the samples: generate more text (at least 50 words)",
                                          n=len(words)))
        corpus = set(re.findall(r"[A-Za-z]+", load_corpus()))
        frac = sum(w in corpus for w in words) / len(words)
        distinct = len(set(words)) / len(words)
        ok = frac >= float(baseline) + 0.05 and distinct >= 0.4
        t = float(temperature)
        base = float(baseline)
        return verdict(name, ok, tr("reached at temperature {t:g}: {frac:.0%} real words (the chapter's "
                                    "0.7: {base:.0%}), {distinct:.0%} of the words distinct.",
                                    t=t, frac=frac, base=base, distinct=distinct),
                       tr("at temperature {t:g}: {frac:.0%} real words (goal: at least {goal:.0%}), "
                          "{distinct:.0%} distinct (goal: at least 40%). Lower temperatures favour frequent words, "
                          "and at the very lowest the model repeats itself.",
                          t=t, frac=frac, goal=base + 0.05, distinct=distinct))
    return run_check(name, answer, check)
