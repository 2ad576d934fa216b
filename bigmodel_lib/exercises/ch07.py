"""Exercises of chapter 07 (the article's code example, debugged)."""
from __future__ import annotations

import warnings

import torch
import torch.nn as nn

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
                return Result(name, False, f"make_core must return an nn.Transformer, got {type(core).__name__}")
            got = dict(d_model=core.d_model, nhead=core.nhead, num_encoder_layers=len(core.encoder.layers),
                       num_decoder_layers=len(core.decoder.layers),
                       dim_feedforward=core.encoder.layers[0].linear1.out_features, batch_first=core.batch_first)
            want = dict(d_model=d, nhead=n_heads, num_encoder_layers=n_layers, num_decoder_layers=n_layers,
                        dim_feedforward=4 * d, batch_first=True)
            wrong = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
            if wrong:
                hint = ""
                if got["d_model"] == n_layers:
                    hint = " d_model received the layer count: that is the positional-argument bug; use keywords."
                elif "num_decoder_layers" in wrong:
                    hint = " num_decoder_layers has its own keyword (its default is 6)."
                elif "batch_first" in wrong:
                    hint = " batch_first=True makes nn.Transformer read [batch, time, d]."
                details = ", ".join(f"{k}={g} (expected {w})" for k, (g, w) in wrong.items())
                return Result(name, False, f"for (n_layers, n_heads, d) = ({n_layers}, {n_heads}, {d}) the model has "
                                           f"{details}.{hint}")
        return verdict(name, True, "right: d_model=, nhead=, num_encoder_layers=, num_decoder_layers=, "
                       "dim_feedforward= and batch_first=True, each by name, build what was meant.", "")
    return run_check(name, make_core, check)


def exercise_2(nn_causal_mask) -> Result:
    """`nn_causal_mask(T)` must return the [T, T] causal mask in nn.Transformer's convention."""
    name = "07.2 causal mask for nn.Transformer"

    def check(fn):
        for T in (1, 4, 7):
            m = fn(T)
            blocked = torch.ones(T, T, dtype=torch.bool).triu(1)   # key j > query i must be hidden
            if not isinstance(m, torch.Tensor) or m.shape != (T, T):
                return Result(name, False, f"for T={T} expected a [{T}, {T}] tensor, got "
                                           f"{tuple(m.shape) if isinstance(m, torch.Tensor) else type(m).__name__}")
            if m.dtype == torch.bool:
                if torch.equal(m, blocked):
                    continue
                if torch.equal(m, ~blocked):
                    return Result(name, False, "this is the 'True = may attend' convention of "
                                               "F.scaled_dot_product_attention and bigmodel_lib; nn.Transformer's "
                                               "bool masks mean True = blocked, so it would hide the past and show "
                                               "the future. Invert it.")
                return Result(name, False, f"for T={T} the bool mask should be True exactly above the diagonal "
                                           f"(key after query), got\n{m.int()}")
            if m.is_floating_point():
                is_blocked = torch.isneginf(m)
                if torch.equal(is_blocked, blocked) and bool((m[~is_blocked] == 0).all()):
                    continue
                return Result(name, False, f"for T={T} a float mask must be -inf exactly above the diagonal and 0 "
                                           f"elsewhere (it is added to the scores), got\n{m}")
            return Result(name, False, f"the mask must be bool or floating point, got {m.dtype}")
        return verdict(name, True, "right: position i may attend to keys 0..i only; nn.Transformer "
                       "blocks where a bool mask is True or a float mask is -inf.", "")
    return run_check(name, nn_causal_mask, check)


def exercise_3(task) -> Result:
    """Which synthetic task can a model blind to the source's order solve?"""
    name = "07.3 an order-blind task"

    def check(answer):
        answer = str(answer).strip().lower()
        if answer not in ("copy", "reverse", "sort"):
            return Result(name, False, f"answer one of 'copy', 'reverse', 'sort'; got {answer!r}")
        return verdict(name, answer == "sort",
                       "right: the sorted output depends only on WHICH tokens the source holds (its multiset), "
                       "not on their order, and the shared-vector model sees exactly the multiset.",
                       f"{answer!r} needs the source's order: '3 4 5' and '5 4 3' have different answers, but "
                       f"the shared-vector model cannot tell them apart. Look for a task whose answer is the same "
                       f"for every ordering of the source.")
    return run_check(name, task, check)
