"""Exercises of chapter 00 (setup check): one per tier.

00.1 (Build) counts the FLOPs of a small MLP and is checked against torch's own FLOP counter; 00.2
(Understand) predicts the device; 00.3 (Explore) makes a fresh model worse than a uniform guess.
"""
from __future__ import annotations

import math

import torch

from ..i18n import tr
from . import Result, run_check, verdict


def _torch_flops(fn) -> int:
    """FLOPs torch's FlopCounterMode sees while `fn()` runs (matrix products only; biases and
    activations are not counted by it)."""
    from torch.utils.flop_counter import FlopCounterMode
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        fn()
    return int(counter.get_total_flops())


def exercise_1(mlp_flops_fn) -> Result:
    """FLOPs of one forward pass of Linear(d_in, d_hidden) -> ReLU -> Linear(d_hidden, d_out) on a batch."""
    name = "00.1 FLOPs of a small MLP"

    def check(fn):
        cases = [(1, 3, 5, 2), (8, 16, 64, 16), (32, 100, 7, 1), (5, 1, 1, 1)]
        wrong = []
        for b, di, dh, do in cases:
            mlp = torch.nn.Sequential(torch.nn.Linear(di, dh), torch.nn.ReLU(), torch.nn.Linear(dh, do))
            x = torch.zeros(b, di)
            want = _torch_flops(lambda: mlp(x))
            got = fn(b, di, dh, do)
            if got != want:
                wrong.append((b, di, dh, do, got, want))
        if not wrong:
            return verdict(name, True, tr("right, and torch's FlopCounterMode agrees: each Linear is one product "
                                          "of a [batch, d_in] by a [d_in, d_out] matrix, 2·batch·d_in·d_out "
                                          "FLOPs, and the two add up."), "")
        b, di, dh, do, got, want = wrong[0]
        hint = tr("count a multiply and an add for every term: 2·m·k·n for an (m×k)·(k×n) product")
        if got == want // 2:
            hint = tr("you counted the multiplies only; every term is a multiply and an add")
        elif got == 2 * b * di * do:
            hint = tr("there are two products: input -> hidden, then hidden -> output")
        return Result(name, False, tr("for batch={b}, d_in={di}, d_hidden={dh}, d_out={do} you gave {got}, torch "
                                      "counts {want}: {hint}. (Biases and ReLU are not counted.)",
                                      b=b, di=di, dh=dh, do=do, got=got, want=want, hint=hint))
    return run_check(name, mlp_flops_fn, check)


def exercise_2(device_name) -> Result:
    """Which device string does pick_device('auto') choose on this machine?"""
    def check(name):
        from ..device import pick_device
        want = pick_device("auto").type
        why = tr("torch.cuda.is_available() is {cuda}, MPS available: {mps}", cuda=torch.cuda.is_available(),
                 mps=bool(getattr(torch.backends, 'mps', None)) and torch.backends.mps.is_available())
        return verdict("00.2 device", str(name) == want,
                       tr("right: this machine trains on {want} ({why}).", want=want, why=why),
                       tr("you said {name!r}, but pick_device('auto') finds {want!r}: {why}. "
                          "\"auto\" takes the first of cuda, mps, cpu that is available.", name=name, want=want,
                          why=why))
    return run_check("00.2 device", device_name, check)


def exercise_3(model) -> Result:
    """An untrained GPT over the course's characters whose loss is more than 1 nat above ln V."""
    name = "00.3 worse than a uniform guess"

    def check(m):
        from ..data import char_corpus
        from ..models import GPT
        if not isinstance(m, GPT):
            return Result(name, False, tr("give a bigmodel_lib GPT, got {type}.", type=type(m).__name__))
        tok, data = char_corpus(block_size=min(32, m.config.block_size), batch_size=8)
        if m.config.vocab_size != tok.vocab_size:
            return Result(name, False, tr("the model's vocab_size is {got}; the course's corpus has {want} "
                                          "characters (use tok.vocab_size).", got=m.config.vocab_size,
                                          want=tok.vocab_size))
        x, y = data.get_batch("val", torch.Generator().manual_seed(0))
        dev = next(m.parameters()).device
        was = m.training
        m.eval()
        with torch.no_grad():
            _, loss = m(x.to(dev), y.to(dev))
        m.train(was)
        lnv = math.log(tok.vocab_size)
        got = loss.item()
        return verdict(name, got > lnv + 1.0,
                       tr("done: loss {got:.2f} against ln V = {lnv:.2f}. A model that is sure of itself and wrong "
                          "pays more than one that spreads its bets evenly: ln V is the price of knowing nothing, "
                          "not the worst a model can do.", got=got, lnv=lnv),
                       tr("loss {got:.2f}, needs more than ln V + 1 = {target:.2f}. A fresh model's logits are all "
                          "close to 0, so its softmax is nearly uniform. Make the logits large (they come out of "
                          "`head`, which shares its weight with `tok_emb`), so that it bets hard on random tokens.",
                          got=got, target=lnv + 1))
    return run_check(name, model, check)
