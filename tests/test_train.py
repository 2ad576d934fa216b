"""The training loop: exact resume, NaN guard, interrupts, atomic checkpoints, clear load errors, determinism."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch

from bigmodel_lib.data import char_corpus
from bigmodel_lib.models import GPT, GPTConfig
from bigmodel_lib.train import TrainConfig, default_loss, load_checkpoint, lr_at, save_checkpoint, train

STEPS = 12


@pytest.fixture(scope="module")
def corpus():
    return char_corpus(block_size=16, batch_size=4, max_chars=20000)


def fresh_model(vocab, seed=0, dropout=0.1):
    torch.manual_seed(seed)
    return GPT(GPTConfig(vocab_size=vocab, block_size=16, n_layer=1, n_head=2, d_model=16, dropout=dropout))


def cfg(**kw):
    base = dict(steps=STEPS, lr=3e-3, eval_batches=2, progress=False, device="cpu")
    base.update(kw)
    return TrainConfig(**base)


def interrupt_at(call: int):
    """A loss function that raises KeyboardInterrupt on its `call`-th use (mid-step, after the batch is drawn)."""
    count = {"n": 0}

    def loss_fn(model, batch):
        count["n"] += 1
        if count["n"] == call:
            raise KeyboardInterrupt
        return default_loss(model, batch)
    return loss_fn


def test_same_seed_same_numbers(corpus):
    tok, data = corpus
    a = train(fresh_model(tok.vocab_size), data, cfg())
    b = train(fresh_model(tok.vocab_size), data, cfg())
    assert a.train_loss == b.train_loss and a.val_loss == b.val_loss


def test_lr_schedule_warms_up_then_decays():
    c = TrainConfig(steps=100, lr=1e-3, warmup_steps=10)
    lrs = [lr_at(s, c) for s in range(100)]
    assert lrs[0] < lrs[9] == pytest.approx(1e-3)
    assert all(x >= y for x, y in zip(lrs[10:], lrs[11:]))
    assert lrs[-1] == pytest.approx(1e-4, rel=0.05)


def test_interrupt_leaves_a_checkpoint_that_resumes_exactly(corpus, tmp_path):
    tok, data = corpus
    full = train(fresh_model(tok.vocab_size), data, cfg())
    path = str(tmp_path / "ckpt.pt")
    part = train(fresh_model(tok.vocab_size), data, cfg(checkpoint_path=path), loss_fn=interrupt_at(7))
    assert part.interrupted and len(part.train_loss) == 6
    assert load_checkpoint(path)["step"] == 6
    resumed = train(fresh_model(tok.vocab_size, seed=123), data, cfg(checkpoint_path=path), resume=True)
    assert not resumed.interrupted
    assert resumed.train_loss == full.train_loss      # bit-for-bit on CPU, dropout included
    assert resumed.val_loss[-1] == full.val_loss[-1]


def test_sigint_stops_at_a_step_boundary(corpus, tmp_path):
    tok, data = corpus
    path = str(tmp_path / "ckpt.pt")
    count = {"n": 0}

    def loss_fn(model, batch):
        count["n"] += 1
        if count["n"] == 4:
            os.kill(os.getpid(), signal.SIGINT)    # what Ctrl-C or Jupyter's stop button sends
        return default_loss(model, batch)
    hist = train(fresh_model(tok.vocab_size), data, cfg(checkpoint_path=path), loss_fn=loss_fn)
    assert hist.interrupted and len(hist.train_loss) == 4  # the step in flight finished, then it stopped
    assert load_checkpoint(path)["step"] == 4


def test_nan_loss_stops_with_clear_error_and_keeps_last_good_checkpoint(corpus, tmp_path):
    tok, data = corpus
    path = str(tmp_path / "ckpt.pt")
    count = {"n": 0}

    def loss_fn(model, batch):
        count["n"] += 1
        loss = default_loss(model, batch)
        return loss * float("nan") if count["n"] == 6 else loss
    with pytest.raises(FloatingPointError, match=r"at step 5.*lower lr"):
        train(fresh_model(tok.vocab_size), data, cfg(checkpoint_path=path, checkpoint_every=2), loss_fn=loss_fn)
    state = load_checkpoint(path)
    assert state["step"] == 4
    model = fresh_model(tok.vocab_size)
    model.load_state_dict(state["model"])
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_inf_loss_is_caught_too(corpus):
    tok, data = corpus
    with pytest.raises(FloatingPointError, match="inf"):
        train(fresh_model(tok.vocab_size), data, cfg(steps=3),
              loss_fn=lambda m, b: default_loss(m, b) * float("inf"))


def test_truncated_and_foreign_checkpoints_give_clear_errors(corpus, tmp_path):
    tok, data = corpus
    path = tmp_path / "ckpt.pt"
    train(fresh_model(tok.vocab_size), data, cfg(steps=2, checkpoint_path=str(path)))
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="truncated, corrupt or not a bigmodel_lib checkpoint"):
        load_checkpoint(path)
    torch.save({"weights": torch.zeros(3)}, path)
    with pytest.raises(ValueError, match="not a bigmodel_lib checkpoint"):
        load_checkpoint(path)
    path.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(ValueError, match="could not be read"):
        load_checkpoint(path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pt")
    with pytest.raises(ValueError, match="resume=True needs cfg.checkpoint_path"):
        train(fresh_model(tok.vocab_size), data, cfg(), resume=True)


def test_checkpoints_load_with_weights_only(corpus, tmp_path):
    tok, data = corpus
    path = tmp_path / "ckpt.pt"
    train(fresh_model(tok.vocab_size), data, cfg(steps=2, checkpoint_path=str(path)))
    state = torch.load(path, weights_only=True)          # no pickled code inside
    assert state["format"] == "bigmodel_lib/1" and state["step"] == 2


def test_killed_writer_never_leaves_a_corrupt_checkpoint(tmp_path):
    """SIGKILL a process in the middle of writing big checkpoints: the file on disk always loads."""
    path = tmp_path / "ckpt.pt"
    script = textwrap.dedent(f"""
        import torch
        from bigmodel_lib.train import save_checkpoint
        i = 0
        while True:
            save_checkpoint({str(path)!r}, {{"format": "bigmodel_lib/1", "step": i,
                                            "model": {{"w": torch.full((2_000_000,), float(i))}}}})
            i += 1
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.time() + 60
        while not path.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert path.exists(), "the writer never produced a checkpoint"
        time.sleep(0.7)
    finally:
        proc.kill()
        proc.wait()
    state = load_checkpoint(path)
    assert torch.all(state["model"]["w"] == state["step"])


def test_save_checkpoint_replaces_atomically(tmp_path):
    path = tmp_path / "sub" / "c.pt"
    save_checkpoint(path, {"format": "bigmodel_lib/1", "step": 1})
    save_checkpoint(path, {"format": "bigmodel_lib/1", "step": 2})
    assert load_checkpoint(path)["step"] == 2
    assert [p.name for p in path.parent.iterdir()] == ["c.pt"]   # no temporary file left behind
