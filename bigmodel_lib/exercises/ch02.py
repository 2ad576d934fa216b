"""Exercises of chapter 02 (core concepts: parameter counts and bytes per parameter).

02.1 (Build) predicts the bytes of model states for several optimizers and number formats and is checked
against what torch's optimizers really allocate; 02.2 (Understand) is the training memory of Llama 3 8B;
02.3 (Explore) searches for a shape whose blocks hold most of its parameters.
"""
from __future__ import annotations

import math

from ..i18n import tr
from . import Result, run_check, verdict

_OPTIMIZERS = ("sgd", "momentum", "adamw")
_DTYPES = ("fp32", "bf16")


def _measured_state_bytes(widths: tuple[int, ...], optimizer: str, dtype: str) -> tuple[int, int]:
    """Build an MLP with the given layer widths in `dtype`, take one real optimizer step, and return
    (parameter count, bytes of weights + gradients + optimizer state tensors). The scalar step counters
    of Adam (one 0-d tensor per parameter tensor) are left out."""
    import torch

    from ..compute import nbytes
    torch.manual_seed(0)
    layers = [torch.nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:])]
    model = torch.nn.Sequential(*layers).to({"fp32": torch.float32, "bf16": torch.bfloat16}[dtype])
    params = list(model.parameters())
    opt = {"sgd": lambda: torch.optim.SGD(params, lr=0.1),
           "momentum": lambda: torch.optim.SGD(params, lr=0.1, momentum=0.9),
           "adamw": lambda: torch.optim.AdamW(params, lr=1e-3)}[optimizer]()
    x = torch.randn(3, widths[0], dtype=params[0].dtype)
    model(x).float().pow(2).mean().backward()
    opt.step()
    state = [t for s in opt.state.values() for t in s.values() if torch.is_tensor(t) and t.ndim > 0]
    total = nbytes(params) + nbytes(p.grad for p in params) + nbytes(state)
    return sum(p.numel() for p in params), total


def exercise_1(state_bytes_fn) -> Result:
    """Build: `state_bytes_fn(n_params, optimizer, dtype)` -> bytes of weights + gradients + optimizer state,
    for optimizer in ("sgd", "momentum", "adamw") and dtype in ("fp32", "bf16"), checked against torch."""
    name = "02.1 bytes of model states"

    def check(fn):
        for widths in ((7, 5, 3), (16, 40, 9, 2)):
            for opt in _OPTIMIZERS:
                for dt in _DTYPES:
                    n, want = _measured_state_bytes(widths, opt, dt)
                    got = fn(n, opt, dt)
                    if got != want:
                        per = want // n
                        hint = {
                            "sgd": tr("plain SGD keeps no state: weights and gradients only"),
                            "momentum": tr("SGD with momentum keeps one buffer per parameter, in the parameter's "
                                           "format"),
                            "adamw": tr("AdamW keeps two moments (m and v) per parameter, in the parameter's format"),
                        }[opt]
                        return Result(name, False,
                                      tr("for {n} parameters, optimizer={opt!r}, dtype={dt!r} you gave {got}, torch "
                                         "allocates {want} bytes ({per} per parameter). Count the weights, one "
                                         "gradient per weight, and the optimizer's state; {hint}.",
                                         n=n, opt=opt, dt=dt, got=got, want=want, per=per, hint=hint))
        return verdict(name, True, tr("right, on models you had not seen: bytes per parameter = (1 weight + 1 "
                       "gradient + the optimizer's buffers) × the format's size: SGD 2×, momentum 3×, AdamW 4×, times "
                       "4 bytes in fp32 or 2 in bf16. Plain bf16 AdamW is 8 bytes; mixed precision costs 16 because "
                       "it adds an fp32 master copy and keeps the moments in fp32."), "")
    return run_check(name, state_bytes_fn, check)


def exercise_2(gigabytes) -> Result:
    """Model-state memory of mixed-precision Adam training for Llama 3 8B, in GB (1e9 bytes)."""
    name = "02.2 training memory"

    def check(ans):
        from ..models_table import ADAM_MIXED_BYTES_PER_PARAM, model_summary
        want = ADAM_MIXED_BYTES_PER_PARAM * model_summary("Llama 3 8B")["params"] / 1e9
        got = float(ans)
        hint = ""
        if math.isclose(got, want / 8, rel_tol=0.02):
            hint = tr(" That is the bf16 weights alone.")
        elif math.isclose(got, want / 4, rel_tol=0.02):
            hint = tr(" That is fp32 weights alone; training also keeps gradients and Adam's two moments.")
        elif math.isclose(got, want * 1e9 / 2 ** 30, rel_tol=0.01):
            hint = tr(" Use decimal gigabytes (1e9 bytes), not GiB.")
        return verdict(name, math.isclose(got, want, rel_tol=0.02),
                       tr("right: 16 bytes × 8e9 parameters = {want:.0f} GB, before activations: more than one 80 GB "
                          "GPU holds, for a model whose bf16 weights alone ({weights:.0f} GB) fit easily.",
                          want=want, weights=want / 8),
                       tr("you gave {got:.4g} GB.{hint} Per parameter: bf16 weights 2 + bf16 gradients 2 + fp32 "
                          "master weights 4 + Adam m 4 + Adam v 4 bytes.", got=got, hint=hint))
    return run_check(name, gigabytes, check)


def exercise_3(shape) -> Result:
    """Explore: (n_layer, n_head, d_model) at GPT-2's vocabulary and context with under 400M parameters whose
    blocks hold at least 88% of them."""
    name = "02.3 where the parameters sit"

    def check(s):
        import torch

        from ..models import GPT, GPTConfig
        if not (isinstance(s, (tuple, list)) and len(s) == 3 and all(isinstance(v, int) for v in s)):
            return Result(name, False, tr("give a tuple of three ints (n_layer, n_head, d_model), got {s!r}.",
                                          s=s))
        L, H, d = s
        if L < 1 or H < 1 or d < 1 or d % H:
            return Result(name, False, tr("n_layer, n_head, d_model must be >= 1 and d_model divisible by n_head, "
                                          "got {s}.", s=s))
        if L * d * d > 1e10:
            return Result(name, False, tr("{s} is far above 400M parameters (12·L·d² alone is {blocks:.3g}).",
                                          s=s, blocks=12 * L * d * d))
        with torch.device("meta"):
            m = GPT(GPTConfig(vocab_size=50257, block_size=1024, n_layer=L, n_head=H, d_model=d))
        total = sum(p.numel() for p in m.parameters())
        blocks = sum(p.numel() for p in m.blocks.parameters())
        share = blocks / total
        ok = total < 400e6 and share >= 0.88
        gpt2_medium = tr("GPT-2 medium's shape (24 layers, width 1024) reaches 85%")
        return verdict(name, ok,
                       tr("done: {millions:.0f}M parameters, {share:.1%} of them in the blocks. The blocks grow "
                          "with L·d², the embeddings only with d, so the share rises with depth and width; "
                          "{gpt2_medium}.", millions=total / 1e6, share=share, gpt2_medium=gpt2_medium),
                       tr("{millions:.0f}M parameters with {share:.1%} in the blocks; the goal is under 400M and at "
                          "least 88%. {gpt2_medium}. The blocks grow as L·d², the embeddings only as d: try deeper "
                          "or wider shapes and watch both numbers.", millions=total / 1e6, share=share,
                          gpt2_medium=gpt2_medium))
    return run_check(name, shape, check)
