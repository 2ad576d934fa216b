"""The training loop never loses work silently: non-finite gradients, interrupted accumulation, the LR
schedule's end point and where backward runs (issue 12, items 1, 2 and 8)."""
import math

import pytest
import torch
import torch.nn as nn

from bigmodel_lib import train as train_mod
from bigmodel_lib.data import char_corpus
from bigmodel_lib.models import GPT, GPTConfig
from bigmodel_lib.train import TrainConfig, default_loss, load_checkpoint, lr_at, train

STEPS = 8


@pytest.fixture(scope="module")
def corpus():
    return char_corpus(block_size=16, batch_size=4, max_chars=20000)


def fresh_model(vocab, seed=0):
    torch.manual_seed(seed)
    return GPT(GPTConfig(vocab_size=vocab, block_size=16, n_layer=1, n_head=2, d_model=16, dropout=0.1))


def cfg(**kw):
    base = dict(steps=STEPS, lr=3e-3, eval_batches=2, progress=False, device="cpu")
    base.update(kw)
    return TrainConfig(**base)


def nan_grad_on_call(call: int):
    """A loss function whose `call`-th use leaves the loss finite but puts a NaN into one gradient, through a
    hook on the output head's weight (what a bf16 overflow in backward or a bad sample does)."""
    count = {"n": 0}

    def loss_fn(model, batch):
        count["n"] += 1
        loss = default_loss(model, batch)
        if count["n"] == call:
            w = model.tok_emb.weight
            handle = {}

            def poison(g):
                handle["h"].remove()
                g = g.clone()
                g[0, 0] = float("nan")
                return g
            handle["h"] = w.register_hook(poison)
        return loss
    return loss_fn


def all_finite(state: dict) -> bool:
    return all(torch.isfinite(t).all() for t in state.values() if isinstance(t, torch.Tensor) and t.is_floating_point())


@pytest.mark.parametrize("grad_clip", [1.0, 0.0])
def test_nan_gradient_with_finite_loss_never_reaches_weights_or_checkpoint(corpus, tmp_path, grad_clip):
    tok, data = corpus
    path = str(tmp_path / "ckpt.pt")
    clean = train(fresh_model(tok.vocab_size), data, cfg(grad_clip=grad_clip))
    model = fresh_model(tok.vocab_size)
    # the 4th optimizer step (step 3, counting from 0) gets the NaN; checkpoint_every=2 would save right after it
    with pytest.raises(FloatingPointError, match=r"gradients.*step 3") as err:
        train(model, data, cfg(grad_clip=grad_clip, checkpoint_path=path, checkpoint_every=2),
              loss_fn=nan_grad_on_call(4))
    assert "loss" in str(err.value) and "finite" in str(err.value)
    assert all(torch.isfinite(p).all() for p in model.parameters()), "the bad step updated the weights"
    state = load_checkpoint(path)
    assert state["step"] == 2
    assert all_finite(state["model"])
    for s in state["optimizer"]["state"].values():
        assert all_finite(s)
    # resuming from the file on disk reproduces the clean run exactly
    resumed = train(fresh_model(tok.vocab_size, seed=5), data, cfg(grad_clip=grad_clip, checkpoint_path=path),
                    resume=True)
    assert resumed.train_loss == clean.train_loss
    assert resumed.val_loss[-1] == clean.val_loss[-1]


def test_nan_loss_error_says_it_was_the_loss(corpus):
    tok, data = corpus
    count = {"n": 0}

    def loss_fn(model, batch):
        count["n"] += 1
        loss = default_loss(model, batch)
        return loss * float("nan") if count["n"] == 3 else loss
    with pytest.raises(FloatingPointError, match=r"loss became nan at step 2") as err:
        train(fresh_model(tok.vocab_size), data, cfg(), loss_fn=loss_fn)
    assert "gradients" not in str(err.value).split(".")[0]


def test_a_checkpoint_is_never_written_with_a_non_finite_tensor(corpus, tmp_path):
    tok, data = corpus
    model = fresh_model(tok.vocab_size)
    model.unused = nn.Parameter(torch.full((3,), float("nan")))   # gets no gradient, so the loss stays finite
    path = tmp_path / "ckpt.pt"
    with pytest.raises(FloatingPointError, match=r"not writing.*unused"):
        train(model, data, cfg(steps=2, checkpoint_path=str(path)))
    assert not path.exists()


def test_interrupt_inside_an_accumulation_step_rewinds_the_token_count(corpus, tmp_path):
    tok, data = corpus
    c = dict(accum_steps=2)
    full = train(fresh_model(tok.vocab_size), data, cfg(**c))
    per_step = 2 * 4 * 16
    assert full.tokens == STEPS * per_step
    path = str(tmp_path / "ckpt.pt")
    count = {"n": 0}

    def loss_fn(model, batch):        # interrupt on the 2nd micro-batch of step 3 (call 8)
        count["n"] += 1
        if count["n"] == 8:
            raise KeyboardInterrupt
        return default_loss(model, batch)
    part = train(fresh_model(tok.vocab_size), data, cfg(checkpoint_path=path, **c), loss_fn=loss_fn)
    assert part.interrupted and len(part.train_loss) == 3
    assert part.tokens == 3 * per_step
    resumed = train(fresh_model(tok.vocab_size), data, cfg(checkpoint_path=path, **c), resume=True)
    assert resumed.tokens == full.tokens
    assert resumed.train_loss == full.train_loss


@pytest.mark.parametrize("steps,warmup", [(100, 10), (20, 0), (7, 3), (2, 0)])
def test_lr_reaches_min_lr_at_the_last_step(steps, warmup):
    c = TrainConfig(steps=steps, lr=1e-3, min_lr=2e-4, warmup_steps=warmup)
    assert lr_at(steps - 1, c) == pytest.approx(2e-4, rel=1e-12)
    lrs = [lr_at(s, c) for s in range(steps)]
    assert max(lrs) == pytest.approx(1e-3, rel=1e-12)
    assert all(x >= y for x, y in zip(lrs[warmup:], lrs[warmup + 1:]))
    assert all(math.isfinite(x) and x > 0 for x in lrs)


class _Probe(torch.autograd.Function):
    """Records whether autocast is on while autograd runs this node's backward."""
    seen: list = []

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        _Probe.seen.append(torch.is_autocast_enabled("cpu"))
        return g


def test_backward_runs_outside_autocast(corpus, monkeypatch):
    """PyTorch's AMP guidance: only the forward pass and the loss go inside autocast, not backward()."""
    tok, data = corpus
    monkeypatch.setattr(train_mod, "autocast", lambda device, enabled=True: torch.autocast("cpu", dtype=torch.bfloat16))
    _Probe.seen = []
    train(fresh_model(tok.vocab_size), data, cfg(steps=2, accum_steps=2),
          loss_fn=lambda m, b: _Probe.apply(default_loss(m, b)))
    assert _Probe.seen == [False] * 4


def test_evaluate_restores_training_mode_when_it_raises(corpus):
    tok, data = corpus
    model = fresh_model(tok.vocab_size).train()

    def broken(m, b):
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError, match="boom"):
        train_mod.evaluate(model, data, cfg(), torch.device("cpu"), broken)
    assert model.training
