"""Compute arithmetic measured against reality: FLOPs of a model, this device's matmul peak,
training-time estimates, power-law fits and the Chinchilla compute-optimal allocation.

FLOP convention (PaLM, arXiv:2204.02311 App. B; also nanoGPT's estimate_mfu): a training token
costs 6·N + 12·L·d·T FLOPs, where N counts the weights that take part in matrix products
(every nn.Linear, the output head included; embedding lookups are free) and the second term is
the attention score and weighted-sum matmuls over a context of T, counted in full (no causal discount).
"""
from __future__ import annotations

import contextlib
import math
import statistics
import time

import torch
import torch.nn as nn

from .checks import check_float, check_int
from .device import pick_device
from .quantize import tensor_bytes


def matmul_flops(m: int, k: int, n: int) -> int:
    """FLOPs of an [m, k] @ [k, n] product: m·n dot products of length k, a multiply and an add each."""
    for name, v in (("m", m), ("k", k), ("n", n)):
        check_int(name, v, minimum=1)
    return 2 * m * k * n


def matmul_params(model: nn.Module) -> int:
    """Weights that take part in matrix products: every nn.Linear weight (tied weights once)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    seen, total = set(), 0
    for mod in model.modules():
        if isinstance(mod, nn.Linear) and id(mod.weight) not in seen:
            seen.add(id(mod.weight))
            total += mod.weight.numel()
    return total


def gpt_flops_per_token(model: nn.Module, seq_len: int | None = None, training: bool = True) -> float:
    """FLOPs per token of the library's GPT (6·N + 12·L·d·T for training; a third of that for inference)."""
    c = getattr(model, "config", None)
    if c is None or not hasattr(c, "n_layer"):
        raise TypeError("model must be a bigmodel_lib.models.GPT (it needs .config.n_layer, d_model, block_size)")
    t = c.block_size if seq_len is None else check_int("seq_len", seq_len, minimum=1, maximum=c.block_size)
    fwd = 2 * matmul_params(model) + 4 * c.n_layer * c.d_model * t
    return 3.0 * fwd if training else float(fwd)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


@contextlib.contextmanager
def cpu_threads(n: int = 1):
    """Run the body with torch using `n` CPU threads, then restore the previous count.

    Why: CPU seconds of a process (clock="cpu" in `time_fn`) measure its work only when one thread does
    it; idle threads of a thread pool spin while they wait, and on a shared machine they wait longer.
    """
    check_int("n", n, minimum=1)
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(before)


def time_fn(fn, repeats: int = 5, warmup: int = 1, device: torch.device | str = "cpu",
            clock: str = "wall") -> float:
    """Median wall time of fn() in seconds after `warmup` untimed calls (medians resist a noisy machine).

    clock="cpu" times CPU seconds of this process instead (time.process_time): on a shared machine
    a CPU computation's CPU time does not grow when other programs take the cores; CPU devices only.
    """
    check_int("repeats", repeats, minimum=1)
    if clock not in ("wall", "cpu"):
        raise ValueError(f"clock must be 'wall' or 'cpu', got {clock!r}")
    dev = torch.device(device)
    if clock == "cpu" and dev.type != "cpu":
        raise ValueError(f"clock='cpu' measures CPU work only; use clock='wall' on device {dev.type!r}")
    now = time.perf_counter if clock == "wall" else time.process_time
    for _ in range(warmup):
        fn()
    _sync(dev)
    times = []
    for _ in range(repeats):
        t0 = now()
        fn()
        _sync(dev)
        times.append(now() - t0)
    return statistics.median(times)


def measure_matmul(size: int, dtype: torch.dtype = torch.float32, device: str | torch.device = "auto",
                   repeats: int = 5, clock: str = "wall") -> float:
    """Achieved FLOP/s of a square [size, size] @ [size, size] product on `device` (median of repeats;
    clock as in `time_fn`)."""
    check_int("size", size, minimum=1)
    dev = pick_device(device) if isinstance(device, str) else device
    a = torch.randn(size, size, device=dev, dtype=dtype)
    b = torch.randn(size, size, device=dev, dtype=dtype)
    reps = max(1, int(2e8 // (2 * size ** 3)))  # batch tiny products so the timer sees enough work
    seconds = time_fn(lambda: [a @ b for _ in range(reps)], repeats=repeats, device=dev, clock=clock)
    return matmul_flops(size, size, size) * reps / seconds


def measure_peak(device: str | torch.device = "auto", sizes=(256, 512, 1024, 2048), dtypes=None,
                 repeats: int = 5, clock: str = "wall") -> dict:
    """Best matmul FLOP/s over sizes and dtypes: the practical peak that utilisation is measured against.

    Returns {"peak": best FLOP/s, "dtype": ..., "size": ..., "table": [(dtype, size, FLOP/s), ...]}.
    Default dtypes: fp32 on CPU; bf16 and fp32 on CUDA.
    """
    dev = pick_device(device) if isinstance(device, str) else device
    if dtypes is None:
        dtypes = (torch.bfloat16, torch.float32) if dev.type == "cuda" else (torch.float32,)
    table = [(str(dt).replace("torch.", ""), s, measure_matmul(s, dt, dev, repeats, clock))
             for dt in dtypes for s in sizes]
    best = max(table, key=lambda r: r[2])
    return {"peak": best[2], "dtype": best[0], "size": best[1], "table": table, "device": str(dev)}


def training_flops(flops_per_token: float, tokens: float) -> float:
    """Total training FLOPs = FLOPs per token × tokens processed (epochs are already inside `tokens`)."""
    check_float("flops_per_token", flops_per_token, minimum=0.0, exclusive_min=True)
    check_float("tokens", tokens, minimum=0.0, exclusive_min=True)
    return flops_per_token * tokens


def training_time(flops: float, peak_flops: float, devices: int = 1, utilisation: float = 0.4) -> float:
    """Seconds to train: T = FLOPs / (devices · peak FLOP/s · utilisation). Unlike 'compute × epochs',
    the units work out: FLOP / (FLOP/s) = s."""
    check_float("flops", flops, minimum=0.0, exclusive_min=True)
    check_float("peak_flops", peak_flops, minimum=0.0, exclusive_min=True)
    check_int("devices", devices, minimum=1)
    check_float("utilisation", utilisation, minimum=0.0, maximum=1.0, exclusive_min=True)
    return flops / (devices * peak_flops * utilisation)


# ----------------------------------------------------------------- scaling laws
def fit_power_law(x, y, irreducible: bool = False) -> dict:
    """Fit y = a·x^(-alpha) (+ e when `irreducible`) to positive data.

    Without the irreducible term this is least squares on log y = log a - alpha·log x; with it,
    scipy's curve_fit starting from that fit. Returns {"a", "alpha", "e"} (e = 0 without the term).
    """
    import numpy as np
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < (4 if irreducible else 2):
        raise ValueError(f"x and y must be 1-D of equal length >= {4 if irreducible else 2}, "
                         f"got shapes {x.shape} and {y.shape}")
    if (x <= 0).any() or (y <= 0).any():
        raise ValueError("x and y must be positive for a power-law fit")
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    fit = {"a": float(math.exp(intercept)), "alpha": float(-slope), "e": 0.0}
    if irreducible:
        from scipy.optimize import curve_fit

        def f(xx, a, alpha, e):
            return a * xx ** (-alpha) + e
        p0 = (fit["a"], max(fit["alpha"], 1e-3), 0.5 * float(y.min()))
        (a, alpha, e), _ = curve_fit(f, x, y, p0=p0, bounds=([0, 0, 0], [np.inf, 5, float(y.min())]),
                                     maxfev=20000)
        fit = {"a": float(a), "alpha": float(alpha), "e": float(e)}
    return fit


# Hoffmann et al. 2022 (arXiv:2203.15556), "Approach 3" parametric fit L(N, D) = E + A/N^alpha + B/D^beta
CHINCHILLA = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def chinchilla_loss(n_params: float, tokens: float) -> float:
    """Predicted loss (nats/token) of Hoffmann et al.'s parametric fit."""
    check_float("n_params", n_params, minimum=0.0, exclusive_min=True)
    check_float("tokens", tokens, minimum=0.0, exclusive_min=True)
    c = CHINCHILLA
    return c["E"] + c["A"] / n_params ** c["alpha"] + c["B"] / tokens ** c["beta"]


def chinchilla_optimal(compute: float, tokens_per_param: float | None = None) -> tuple[float, float]:
    """Compute-optimal (N, D) for a budget C = 6·N·D.

    tokens_per_param=None minimises the parametric fit under the constraint (closed form);
    a number (e.g. 20, the rule of thumb read off Chinchilla's 70B on 1.4T tokens) uses D = r·N.
    """
    check_float("compute", compute, minimum=0.0, exclusive_min=True)
    if tokens_per_param is not None:
        r = check_float("tokens_per_param", tokens_per_param, minimum=0.0, exclusive_min=True)
        n = math.sqrt(compute / (6 * r))
        return n, r * n
    c = CHINCHILLA
    a, b = c["alpha"], c["beta"]
    g = (a * c["A"] / (b * c["B"])) ** (1 / (a + b))
    n = g * (compute / 6) ** (b / (a + b))
    return n, compute / (6 * n)


# ----------------------------------------------------------------- hardware and cost
# Published dense (no 2:4 sparsity) 16-bit matmul peaks and memory as sold; one entry per source in
# data/references.md: nvidia-v100 (125e12 is the SXM2 card's FP16 tensor-core peak, 112e12 on PCIe; no bf16),
# nvidia-a100 (312e12 BF16; also sold with 40 GB), nvidia-h100 (SXM, 989e12 BF16; the 1,979 headline assumes
# sparsity), nvidia-h200 (same GH100 chip, 141 GB HBM3e), google-tpu-v4 (275e12 bf16 per chip, 32 GiB).
GPUS = {
    "V100": {"peak_flops": 125e12, "memory_gb": 32, "note": "SXM2 (PCIe: 112e12), FP16 tensor; no bf16"},
    "A100": {"peak_flops": 312e12, "memory_gb": 80, "note": "BF16 dense"},
    "H100": {"peak_flops": 989e12, "memory_gb": 80, "note": "SXM, BF16 dense (1,979 is with sparsity)"},
    "H200": {"peak_flops": 989e12, "memory_gb": 141, "note": "same chip as H100, more and faster memory"},
    "TPU v4": {"peak_flops": 275e12, "memory_gb": 32, "note": "BF16, per chip"},
}


def _gpu(gpu: str) -> dict:
    if gpu not in GPUS:
        raise ValueError(f"gpu must be one of {list(GPUS)}, got {gpu!r}")
    return GPUS[gpu]


def utilisation(flops: float, seconds: float, peak_flops: float, devices: int = 1) -> float:
    """Achieved fraction of peak (model FLOPs utilisation, MFU): FLOPs / (seconds · devices · peak)."""
    check_float("flops", flops, minimum=0.0, exclusive_min=True)
    check_float("seconds", seconds, minimum=0.0, exclusive_min=True)
    check_float("peak_flops", peak_flops, minimum=0.0, exclusive_min=True)
    check_int("devices", devices, minimum=1)
    return flops / (seconds * devices * peak_flops)


def implied_utilisation(flops: float, device_hours: float, peak_flops: float) -> float:
    """The MFU a published run must have had: its FLOPs over what its device-hours could deliver at peak."""
    check_float("device_hours", device_hours, minimum=0.0, exclusive_min=True)
    return utilisation(flops, device_hours * 3600.0, peak_flops)


def training_estimate(n_params: float, tokens: float, gpu: str = "A100", n_gpus: int = 1,
                      utilisation: float = 0.4, price_per_gpu_hour: float | None = None,
                      flops: float | None = None) -> dict:
    """Time and cost of training a dense model on `tokens` tokens: C = 6·N·D (or `flops`), T = C / (n·peak·u).

    Returns {"flops", "seconds", "days", "gpu_hours", "cost"}; cost is None unless a price is given
    (prices change and differ by provider: the caller supplies one, the library states none).
    """
    check_float("n_params", n_params, minimum=0.0, exclusive_min=True)
    check_float("tokens", tokens, minimum=0.0, exclusive_min=True)
    peak = _gpu(gpu)["peak_flops"]
    c = 6.0 * n_params * tokens if flops is None else check_float("flops", flops, minimum=0.0, exclusive_min=True)
    seconds = training_time(c, peak, n_gpus, utilisation)
    gpu_hours = seconds * n_gpus / 3600.0
    cost = None
    if price_per_gpu_hour is not None:
        cost = gpu_hours * check_float("price_per_gpu_hour", price_per_gpu_hour, minimum=0.0)
    return {"flops": c, "seconds": seconds, "days": seconds / 86400.0, "gpu_hours": gpu_hours, "cost": cost}


def cloud_cost(n_params: float, tokens: float, gpu: str = "A100", n_gpus: int = 1, utilisation: float = 0.4,
               price_per_gpu_hour: float = 1.0, flops: float | None = None) -> dict:
    """Renting a training run: `training_estimate` (time, GPU-hours, cost at your price) plus whether the model
    states fit on the GPUs at all.

    The states are mixed-precision AdamW's 16 bytes per parameter (`training_memory`), fully sharded over the
    GPUs (ZeRO-3 style); activations come on top. No price is built in: prices differ by provider, region
    and month, so the default 1.0 makes `cost` read as GPU-hours × your price. Returns the keys of
    `training_estimate` and "states_bytes", "min_gpus_for_states", "fits".
    """
    check_float("price_per_gpu_hour", price_per_gpu_hour, minimum=0.0)
    est = training_estimate(n_params, tokens, gpu, n_gpus, utilisation, price_per_gpu_hour, flops)
    states = training_memory(max(1, int(n_params)), 1, 1, 8, 1, 1, precision="mixed")
    est["states_bytes"] = states["weights"] + states["gradients"] + states["optimizer"]
    est["min_gpus_for_states"] = math.ceil(est["states_bytes"] / (_gpu(gpu)["memory_gb"] * 1e9))
    est["fits"] = n_gpus >= est["min_gpus_for_states"]
    return est


# ----------------------------------------------------------------- memory
# Bytes per parameter of the model states (ZeRO, arXiv:1910.02054 §3; data/references.md#rajbhandari2019zero):
# weights, gradients, optimizer state. "mixed" = bf16/fp16 weights and gradients, fp32 master copy + Adam m, v.
_STATE_BYTES = {
    ("fp32", "adamw"): (4, 4, 8), ("fp32", "sgd"): (4, 4, 0), ("fp32", "sgd-momentum"): (4, 4, 4),
    ("mixed", "adamw"): (2, 2, 12), ("mixed", "sgd"): (2, 2, 4), ("mixed", "sgd-momentum"): (2, 2, 8),
    ("bf16", "adamw"): (2, 2, 4), ("bf16", "sgd"): (2, 2, 0), ("bf16", "sgd-momentum"): (2, 2, 2),
}


def nbytes(tensors) -> int:
    """Bytes held by some tensors: the sum of `quantize.tensor_bytes` (numel · element_size; for a quantized
    tensor subclass, the bytes of the tensors inside it).

    Pass a model's parameters, their gradients (`p.grad for p in model.parameters()`) or an optimizer's state
    tensors; the result is what is actually allocated, the measurement that bytes-per-parameter arithmetic
    (4 in fp32, 2 in bf16, 16 for Adam training) must match. A None (a gradient not computed yet) is an error.
    """
    if isinstance(tensors, torch.Tensor):
        tensors = [tensors]
    try:
        items = list(tensors)
    except TypeError:
        raise TypeError(f"tensors must be an iterable of torch.Tensor, got {type(tensors).__name__}") from None
    total = 0
    for i, t in enumerate(items):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"tensors must hold only torch.Tensor, item {i} is {type(t).__name__}"
                            + (" (a gradient before backward?)" if t is None else ""))
        total += tensor_bytes(t)
    return total


def activation_bytes(batch: int, seq_len: int, d_model: int, n_layer: int, n_head: int, vocab_size: int = 0,
                     bytes_per_value: int = 4, fused_attention: bool = True, dropout: bool = False,
                     checkpointing: bool = False, mask_bytes: int | None = None) -> dict:
    """Bytes of activations a GPT keeps for its backward pass (what the forward pass saves).

    Per layer, after Korthikanti et al. (arXiv:2205.05198, Table 1): 16·s·b·h values (the inputs of the two
    LayerNorms, the QKV projection, Q, K, V, the output projection, the MLP's two matmuls and its GELU at 4h)
    plus each LayerNorm's fp32 mean and 1/std; unfused attention adds the a·s²·b softmax output, a fused
    kernel only an fp32 log-sum-exp per head and position. Dropout, where the library's GPT applies it (after the
    embeddings, inside the feed-forward at 4h, on both residual branches, on the attention map), adds one mask
    per dropout of `mask_bytes` per value (default bytes_per_value: PyTorch's CPU dropout keeps a float mask, as
    tests/test_activation_memory.py measures; Korthikanti et al. count 1-byte masks) and, unfused, the
    dropped-out attention map. PyTorch's CPU attention kernel has no dropout, so with dropout on a CPU pass
    fused_attention=False. Full activation
    checkpointing keeps only each layer's input (s·b·h values) and rebuilds one layer at a time in backward
    (`recompute`). The head keeps the final LayerNorm's input and output and, with vocab_size, the
    log-softmax over the vocabulary. Returns {"per_layer", "layers", "head", "recompute", "total"} in bytes.
    """
    for name, v in (("batch", batch), ("seq_len", seq_len), ("d_model", d_model), ("n_layer", n_layer),
                    ("n_head", n_head), ("bytes_per_value", bytes_per_value)):
        check_int(name, v, minimum=1)
    check_int("vocab_size", vocab_size, minimum=0)
    s, b, h, a, bpv = seq_len, batch, d_model, n_head, bytes_per_value
    ln_stats = 2 * s * b * 4                               # one LayerNorm's fp32 mean and 1/std
    per_layer = 16 * s * b * h * bpv + 2 * ln_stats
    if fused_attention:
        per_layer += a * s * b * 4                         # the kernel's fp32 log-sum-exp
    else:
        per_layer += a * s * s * b * bpv                   # softmax probabilities, a [T, T] map per head
    mb = bpv if mask_bytes is None else check_int("mask_bytes", mask_bytes, minimum=1)
    if dropout:   # masks: feed-forward (4h) + two residual branches (h each); unfused: the map's mask and output
        per_layer += 6 * s * b * h * mb + (0 if fused_attention else a * s * s * b * (mb + bpv))
    head = (2 * s * b * h + s * b * vocab_size) * bpv + ln_stats + (s * b * h * mb if dropout else 0)
    if checkpointing:
        layers, recompute = n_layer * s * b * h * bpv, per_layer
    else:
        layers, recompute = n_layer * per_layer, 0
    return {"per_layer": per_layer, "layers": layers, "head": head, "recompute": recompute,
            "total": layers + head + recompute}


def training_memory(n_params: int, batch: int, seq_len: int, d_model: int, n_layer: int, n_head: int,
                    vocab_size: int = 0, precision: str = "fp32", optimizer: str = "adamw",
                    fused_attention: bool = True, dropout: bool = False, checkpointing: bool = False) -> dict:
    """Training memory estimate in bytes: weights + gradients + optimizer state + activations.

    precision: "fp32", "mixed" (16-bit weights/grads, fp32 master and Adam: 16 bytes/param) or "bf16"
    (everything 16-bit); activations are kept in 4 bytes for fp32, 2 otherwise. Returns
    {"weights", "gradients", "optimizer", "activations", "total"}. Not counted: temporary buffers,
    the allocator's fragmentation and the framework's own workspace (the measured peak is higher).
    """
    check_int("n_params", n_params, minimum=1)
    if (precision, optimizer) not in _STATE_BYTES:
        raise ValueError(f"precision must be one of ('fp32', 'mixed', 'bf16') and optimizer one of "
                         f"('adamw', 'sgd', 'sgd-momentum'), got {precision!r} and {optimizer!r}")
    w, g, o = _STATE_BYTES[(precision, optimizer)]
    act = activation_bytes(batch, seq_len, d_model, n_layer, n_head, vocab_size,
                           bytes_per_value=4 if precision == "fp32" else 2, fused_attention=fused_attention,
                           dropout=dropout, checkpointing=checkpointing)["total"]
    out = {"weights": w * n_params, "gradients": g * n_params, "optimizer": o * n_params, "activations": act}
    out["total"] = sum(out.values())
    return out


def gpt_training_memory(model: nn.Module, batch: int, seq_len: int | None = None, **kwargs) -> dict:
    """`training_memory` for a bigmodel_lib GPT, reading its shape from model.config (all parameters count)."""
    c = getattr(model, "config", None)
    if c is None or not hasattr(c, "n_layer"):
        raise TypeError("model must be a bigmodel_lib.models.GPT (it needs .config.n_layer, d_model, block_size)")
    t = c.block_size if seq_len is None else check_int("seq_len", seq_len, minimum=1, maximum=c.block_size)
    n = sum(p.numel() for p in model.parameters())
    kwargs.setdefault("dropout", c.dropout > 0)
    return training_memory(n, batch, t, c.d_model, c.n_layer, c.n_head, c.vocab_size, **kwargs)


def inference_memory(n_params: float, batch: int, seq_len: int, n_layer: int, d_kv: int,
                     bytes_per_value: int = 2) -> dict:
    """Inference memory in bytes: weights + the KV cache (a key and a value of width d_kv per layer and token).

    d_kv = n_kv_heads · head_dim (d_model without grouped-query attention). Returns
    {"weights", "kv_cache", "kv_per_token", "total"}.
    """
    check_float("n_params", n_params, minimum=0.0, exclusive_min=True)
    for name, v in (("batch", batch), ("seq_len", seq_len), ("n_layer", n_layer), ("d_kv", d_kv),
                    ("bytes_per_value", bytes_per_value)):
        check_int(name, v, minimum=1)
    per_token = 2 * n_layer * d_kv * bytes_per_value
    kv = per_token * batch * seq_len
    weights = n_params * bytes_per_value
    return {"weights": weights, "kv_cache": kv, "kv_per_token": per_token, "total": weights + kv}


class Checkpointed(nn.Module):
    """Wraps a block so that training keeps only its input and recomputes the rest during backward
    (torch.utils.checkpoint): activation memory traded for one extra forward pass."""

    def __init__(self, block: nn.Module):
        super().__init__()
        if not isinstance(block, nn.Module):
            raise TypeError(f"block must be an nn.Module, got {type(block).__name__}")
        self.block = block

    def forward(self, x: torch.Tensor, **kwargs) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        if not torch.is_grad_enabled() or kwargs.get("cache") is not None:
            return self.block(x, **kwargs)
        from torch.utils.checkpoint import checkpoint
        return checkpoint(lambda t: self.block(t, **kwargs), x, use_reentrant=False)


def with_checkpointing(model: nn.Module) -> nn.Module:
    """Wrap every block of a GPT (model.blocks) in `Checkpointed`, in place; returns the model."""
    blocks = getattr(model, "blocks", None)
    if not isinstance(blocks, nn.ModuleList):
        raise TypeError("model must have a .blocks nn.ModuleList (a bigmodel_lib GPT)")
    for i, blk in enumerate(blocks):
        if not isinstance(blk, Checkpointed):
            blocks[i] = Checkpointed(blk)
    return model


def saved_activation_bytes(fn, exclude: nn.Module | None = None) -> int:
    """Bytes of the distinct tensors autograd saves for backward while fn() runs.

    Measured with torch.autograd.graph.saved_tensors_hooks; views of one storage count once, and storages
    of `exclude`'s parameters (weights saved, or their transposes, for the gradient) are left out.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a callable that runs the forward pass, got {type(fn).__name__}")
    params = set() if exclude is None else {p.untyped_storage().data_ptr() for p in exclude.parameters()}
    storages: dict[int, int] = {}
    alive = []   # hold each packed tensor until the end, so no freed address is reused and miscounted

    def pack(t):
        s = t.untyped_storage()
        if s.data_ptr() not in params:
            storages[s.data_ptr()] = s.nbytes()
            alive.append(t)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    alive.clear()
    return sum(storages.values())
