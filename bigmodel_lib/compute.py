"""Compute arithmetic measured against reality: FLOPs of a model, this device's matmul peak,
training-time estimates, power-law fits and the Chinchilla compute-optimal allocation.

FLOP convention (PaLM, arXiv:2204.02311 App. B; also nanoGPT's estimate_mfu): a training token
costs 6·N + 12·L·d·T FLOPs, where N counts the weights that take part in matrix products
(every nn.Linear, the output head included; embedding lookups are free) and the second term is
the attention score and weighted-sum matmuls over a context of T, counted in full (no causal discount).
"""
from __future__ import annotations

import math
import statistics
import time

import torch
import torch.nn as nn

from .checks import check_float, check_int
from .device import pick_device


def matmul_flops(m: int, k: int, n: int) -> int:
    """FLOPs of an [m, k] @ [k, n] product: m·n dot products of length k, a multiply and an add each."""
    for name, v in (("m", m), ("k", k), ("n", n)):
        check_int(name, v, minimum=1)
    return 2 * m * k * n


def matmul_params(model: nn.Module) -> int:
    """Weights that take part in matrix products: every nn.Linear weight (tied weights once)."""
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


def time_fn(fn, repeats: int = 5, warmup: int = 1, device: torch.device | str = "cpu") -> float:
    """Median wall time of fn() in seconds after `warmup` untimed calls (medians resist a noisy machine)."""
    check_int("repeats", repeats, minimum=1)
    dev = torch.device(device)
    for _ in range(warmup):
        fn()
    _sync(dev)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        _sync(dev)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure_matmul(size: int, dtype: torch.dtype = torch.float32, device: str | torch.device = "auto",
                   repeats: int = 5) -> float:
    """Achieved FLOP/s of a square [size, size] @ [size, size] product on `device` (median of repeats)."""
    check_int("size", size, minimum=1)
    dev = pick_device(device) if isinstance(device, str) else device
    a = torch.randn(size, size, device=dev, dtype=dtype)
    b = torch.randn(size, size, device=dev, dtype=dtype)
    reps = max(1, int(2e8 // (2 * size ** 3)))  # batch tiny products so the timer sees enough work
    seconds = time_fn(lambda: [a @ b for _ in range(reps)], repeats=repeats, device=dev)
    return matmul_flops(size, size, size) * reps / seconds


def measure_peak(device: str | torch.device = "auto", sizes=(256, 512, 1024, 2048), dtypes=None,
                 repeats: int = 5) -> dict:
    """Best matmul FLOP/s over sizes and dtypes: the practical peak that utilisation is measured against.

    Returns {"peak": best FLOP/s, "dtype": ..., "size": ..., "table": [(dtype, size, FLOP/s), ...]}.
    Default dtypes: fp32 on CPU; bf16 and fp32 on CUDA.
    """
    dev = pick_device(device) if isinstance(device, str) else device
    if dtypes is None:
        dtypes = (torch.bfloat16, torch.float32) if dev.type == "cuda" else (torch.float32,)
    table = [(str(dt).replace("torch.", ""), s, measure_matmul(s, dt, dev, repeats)) for dt in dtypes for s in sizes]
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
