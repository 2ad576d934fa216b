"""Exercises of chapter 11 (not enough compute: memory and cost)."""
from __future__ import annotations

import math

from ..i18n import tr
from . import Result, run_check, verdict


def exercise_1(fn) -> Result:
    """training_state_bytes(n) = (2 + 2 + 4 + 4 + 4)·n = 16·n for mixed-precision Adam."""
    name = "11.1 training-state bytes"

    def check(f):
        ns = [1, 7_000_000_000, 123_456]
        got = [float(f(n)) for n in ns]
        want = [16.0 * n for n in ns]
        if all(math.isclose(g, 12 * n) for g, n in zip(got, ns)):
            return verdict(name, False, "", tr("12 bytes/param counts only the optimizer side (fp32 master, m, v); "
                                               "add the 16-bit weights and gradients."))
        return verdict(name, all(math.isclose(g, w) for g, w in zip(got, want)),
                       tr("right: 2 (bf16 weights) + 2 (bf16 grads) + 4 (fp32 master) + 4 + 4 (Adam m, v) = 16 "
                          "bytes."),
                       tr("for {n:,} parameters you gave {got:.4g}, expected {want:.4g} bytes.",
                          n=ns[1], got=got[1], want=want[1]))
    return run_check(name, fn, check)


def exercise_2(value) -> Result:
    """KV cache = 2 (K and V) · layers · kv_heads · head_dim · bytes · batch · tokens."""
    name = "11.2 KV-cache bytes"

    def check(v):
        want = 2 * 32 * 8 * 128 * 2 * 4 * 8192
        v = float(v)
        if math.isclose(v, want / 2):
            return verdict(name, False, "", tr("that is half: keep both the keys and the values."))
        return verdict(name, math.isclose(v, want, rel_tol=1e-3),
                       tr("right: {want:,} bytes ≈ {gib:.0f} GiB.", want=want, gib=want / 2**30),
                       tr("you gave {v:.4g}, expected {want:.4g}: 2 · 32 · 8 · 128 · 2 bytes per token, "
                          "× 4 × 8192 tokens.", v=v, want=want))
    return run_check(name, value, check)


def exercise_3(value) -> Result:
    """ceil(16 · 405e9 / 80e9) = 81 GPUs."""
    name = "11.3 GPUs for a 405B model's states"

    def check(v):
        want = math.ceil(16 * 405e9 / 80e9)
        return verdict(name, int(v) == want and float(v) == int(v),
                       tr("right: 16 × 405e9 = {tb:.2f} TB over 80 GB -> {want} GPUs, before any activation.",
                          tb=16 * 405e9 / 1e12, want=want),
                       tr("you gave {v}, expected {want}: 16 bytes per parameter, divided by 80e9 bytes, rounded up.",
                          v=v, want=want))
    return run_check(name, value, check)


def _kv_measured(cfg_kwargs: dict, batch: int, seq_len: int, dtype) -> tuple[object, int]:
    import torch

    from ..models import GPT, GPTConfig
    torch.manual_seed(0)
    model = GPT(GPTConfig(**cfg_kwargs)).to(dtype).eval()
    caches = [{} for _ in model.blocks]
    idx = torch.randint(0, cfg_kwargs["vocab_size"], (batch, seq_len))
    with torch.no_grad():
        model(idx, caches=caches)
    return model, sum(c[k].numel() * c[k].element_size() for c in caches for k in ("k", "v"))


def exercise_4(fn) -> Result:
    """Build: the KV-cache bytes of the library's GPT, from its config and dtype, checked against the caches
    PyTorch allocates when the model runs with caches."""
    name = "11.4 KV cache of a GPT"

    def check(f):
        import torch
        cases = [(dict(vocab_size=50, block_size=40, n_layer=3, n_head=2, d_model=32), 2, 17, torch.float32),
                 (dict(vocab_size=30, block_size=64, n_layer=1, n_head=4, d_model=64), 5, 64, torch.float32),
                 (dict(vocab_size=70, block_size=32, n_layer=2, n_head=3, d_model=48), 3, 9, torch.bfloat16)]
        for kw, b, t, dt in cases:
            model, want = _kv_measured(kw, b, t, dt)
            got = f(model, b, t)
            if not isinstance(got, (int, float)) or isinstance(got, bool) or got != want:
                shape = tr("{n_layer} layers, d_model {d_model}, {dt}, batch {b}, {t} tokens",
                           n_layer=kw["n_layer"], d_model=kw["d_model"], dt=dt, b=b, t=t)
                hint = ""
                if isinstance(got, (int, float)) and got * 2 == want:
                    hint = tr(" That is half: every layer keeps a key AND a value per token.")
                elif isinstance(got, (int, float)) and got == want * 2 and dt == torch.bfloat16:
                    hint = tr(" Read the bytes per value from the weights' dtype (element_size()), not a fixed 4.")
                return Result(name, False, tr("for {shape} you gave {got!r}, measured {want:,} bytes.{hint}",
                                              shape=shape, got=got, want=want, hint=hint))
        return Result(name, True, tr("right on every shape: 2 (K and V) × layers × batch × tokens × d_model × "
                                     "bytes per value; the cache grows linearly with both batch and context."))
    return run_check(name, fn, check)


def step_memory(batch: int, checkpointing: bool, autocast: bool, seed: int = 0) -> dict:
    """Measured bytes of one training step of chapter 11's 4-layer GPT (width 128, 64 characters): weights,
    gradients, AdamW state and the activations autograd keeps (bf16 autocast on the CPU when asked)."""
    import torch

    from ..compute import saved_activation_bytes, with_checkpointing
    from ..data import char_corpus
    from ..models import GPT, GPTConfig
    from ..quantize import tensor_bytes
    tok, data = char_corpus(block_size=64, batch_size=batch)
    torch.manual_seed(seed)
    model = GPT(GPTConfig(vocab_size=tok.vocab_size, block_size=64, n_layer=4, n_head=4, d_model=128))
    if checkpointing:
        with_checkpointing(model)
    x, y = data.get_batch("train", torch.Generator().manual_seed(seed))
    opt = torch.optim.AdamW(model.parameters())
    holder = {}

    def fwd():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            holder["loss"] = model(x, y)[1]
    act = saved_activation_bytes(fwd, exclude=model)
    holder["loss"].backward()
    opt.step()
    out = {"weights": sum(map(tensor_bytes, model.parameters())),
           "gradients": sum(tensor_bytes(p.grad) for p in model.parameters()),
           "optimizer": sum(tensor_bytes(v) for s in opt.state.values() for k, v in s.items() if k != "step"),
           "activations": act}
    out["total"] = sum(out.values())
    return out


def exercise_5(setting) -> Result:
    """Explore: >= 2048 tokens per step with the measured step memory below 40 MiB."""
    name = "11.5 fit a step in 40 MiB"

    def check(s):
        if not (isinstance(s, (tuple, list)) and len(s) == 3):
            return Result(name, False, tr("give (batch, checkpointing, autocast), got {s!r}", s=s))
        batch, ck, ac = s
        if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= 256:
            return Result(name, False, tr("batch must be an int in 1..256, got {batch!r}", batch=batch))
        mem = step_memory(batch, bool(ck), bool(ac))
        tokens = batch * 64
        mib = mem["total"] / 2**20
        names = {"weights": tr("weights"), "gradients": tr("gradients"), "optimizer": tr("optimizer"),
                 "activations": tr("activations")}
        parts = ", ".join(f"{names.get(k, k)} {v / 2**20:.1f}" for k, v in mem.items() if k != "total")
        msg = tr("batch {batch} ({tokens} tokens), checkpointing={ck}, autocast={ac}: {mib:.1f} MiB ({parts} MiB). ",
                 batch=batch, tokens=tokens, ck=bool(ck), ac=bool(ac), mib=mib, parts=parts)
        if tokens >= 2048 and mib < 40:
            return Result(name, True, msg + tr("Goal met: the model states are fixed, so the room has to come "
                                               "from the activations, and checkpointing removes most of them."))
        if tokens < 2048:
            return Result(name, False, msg + tr("Too few tokens per step: at least batch 32."))
        return Result(name, False, msg + tr("Too much memory: the activations grow with the batch; which "
                                            "option keeps fewest of them?"))
    return run_check(name, setting, check)
