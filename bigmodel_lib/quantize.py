"""Absmax int8 quantization from scratch (per tensor, per channel, LLM.int8()-style matmul) and size helpers.

Absmax maps the largest |value| of a group to 127 and rounds the rest onto that grid: one float scale
per group. The group is the whole tensor or one row (channel); chapter 10 shows why the choice matters.
"""
from __future__ import annotations

import io

import torch
import torch.nn as nn

from .checks import check_float, check_int, check_tensor

QMAX = 127  # symmetric int8: -127..127 (-128 unused, so the grid is symmetric around zero)


def absmax_quantize(w: torch.Tensor, per_channel: bool = False, dim: int = -1) -> tuple[torch.Tensor, torch.Tensor]:
    """w (float) -> (int8 q, float scale) with w ≈ q * scale.

    per_channel=False: one scale for the whole tensor. per_channel=True: one scale per slice,
    reducing over `dim` (dim=-1 on a Linear weight [out, in] gives one scale per output row).
    """
    check_tensor("w", w, min_ndim=1)
    if not w.is_floating_point():
        raise TypeError(f"w must be a floating-point tensor, got {w.dtype}")
    if w.numel() == 0:
        raise ValueError(f"w must not be empty, got shape {tuple(w.shape)}")
    if per_channel and not -w.ndim <= dim < w.ndim:
        raise ValueError(f"dim must be in [{-w.ndim}, {w.ndim}) for w of shape {tuple(w.shape)}, got {dim}")
    w = w.detach().float()
    amax = w.abs().amax(dim=dim, keepdim=True) if per_channel else w.abs().amax()
    scale = amax.clamp(min=torch.finfo(torch.float32).tiny) / QMAX  # an all-zero group keeps scale > 0
    q = torch.round(w / scale).clamp(-QMAX, QMAX).to(torch.int8)
    return q, scale


def dequantize(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """int8 q and its scale(s) -> float32 approximation of the original tensor."""
    check_tensor("q", q)
    if q.dtype != torch.int8:
        raise TypeError(f"q must be int8, got {q.dtype}")
    return q.float() * scale


def quantization_error(w: torch.Tensor, per_channel: bool = False, dim: int = -1) -> float:
    """Relative Frobenius error ||w - deq(quant(w))|| / ||w|| of absmax int8 (0 means exact)."""
    q, s = absmax_quantize(w, per_channel, dim)
    w = w.detach().float()
    return float((w - dequantize(q, s)).norm() / w.norm().clamp(min=1e-30))


def int8_matmul(x: torch.Tensor, w: torch.Tensor, outlier_threshold: float | None = None) -> torch.Tensor:
    """x [..., in] @ w[out, in]ᵀ in int8 with int32 accumulation, LLM.int8() style (Dettmers et al. 2022).

    Vector-wise scales: one per row of x (token) and one per row of w (output channel). With
    `outlier_threshold`, the input features (columns of x) whose |value| anywhere exceeds it are
    multiplied in float instead (the mixed-precision decomposition); all other products stay int8.
    """
    check_tensor("x", x, min_ndim=2)
    check_tensor("w", w, ndim=2)
    if x.shape[-1] != w.shape[1]:
        raise ValueError(f"x's last dim ({x.shape[-1]}) must equal w's in-features ({w.shape[1]})")
    x2 = x.detach().float().reshape(-1, x.shape[-1])
    w = w.detach().float()
    out = torch.zeros(x2.shape[0], w.shape[0])
    keep = torch.ones(x2.shape[1], dtype=torch.bool)
    if outlier_threshold is not None:
        check_float("outlier_threshold", outlier_threshold, minimum=0.0, exclusive_min=True)
        keep = x2.abs().amax(0) <= outlier_threshold
        out += x2[:, ~keep] @ w[:, ~keep].T          # the few outlier features, in full precision
    if keep.any():
        qx, sx = absmax_quantize(x2[:, keep], per_channel=True, dim=-1)   # per token
        qw, sw = absmax_quantize(w[:, keep], per_channel=True, dim=-1)    # per output channel
        acc = qx.to(torch.int32) @ qw.to(torch.int32).T                   # exact integer dot products
        out += acc.float() * sx * sw.T
    return out.reshape(*x.shape[:-1], w.shape[0])


# ------------------------------------------------------------------ sizes
def tensor_bytes(t: torch.Tensor) -> int:
    """Bytes a tensor's data takes: its elements, or for a tensor subclass (torchao) its inner tensors."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"t must be a tensor, got {type(t).__name__}")
    if type(t) not in (torch.Tensor, nn.Parameter) and hasattr(t, "__tensor_flatten__"):
        names, _ = t.__tensor_flatten__()
        return sum(tensor_bytes(getattr(t, n)) for n in names)
    if t.is_quantized:  # torch.ao quantized tensor: int8 values plus scale (and zero point) per channel/tensor
        extra = 16 * t.q_per_channel_scales().numel() if t.qscheme() in (torch.per_channel_affine,
                                                                            torch.per_channel_symmetric) else 16
        return t.numel() * t.element_size() + extra
    return t.numel() * t.element_size()


def linear_weight_bytes(model: nn.Module, skip: tuple[str, ...] = ()) -> int:
    """Bytes of every Linear weight (plain, torch.ao dynamic-quantized or torchao), a tied one counted once.

    `skip`: module names to leave out (e.g. ("head",) when the head is tied to the embedding).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    seen, alive, total = set(), [], 0   # `alive` keeps temporaries (m.weight() of torch.ao) so ids stay unique
    for name, m in model.named_modules():
        if name in skip or "Linear" not in type(m).__name__:
            continue
        w = m.weight() if callable(getattr(m, "weight", None)) else getattr(m, "weight", None)
        if isinstance(w, torch.Tensor) and id(w) not in seen:
            seen.add(id(w))
            alive.append(w)
            total += tensor_bytes(w)
    return total


def serialized_bytes(model: nn.Module) -> int:
    """Size of torch.save(model.state_dict()): what the checkpoint file would take on disk."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.tell()


def model_bytes(n_params: int, bits: int) -> int:
    """Bytes for n_params weights stored at `bits` each (e.g. 16 for bf16, 8 for int8, 4 for int4)."""
    check_int("n_params", n_params, minimum=0)
    check_int("bits", bits, minimum=1, maximum=64)
    return (n_params * bits + 7) // 8


def fake_quantize(w: torch.Tensor, bits: int = 8, group_size: int | None = None) -> torch.Tensor:
    """Round-to-nearest absmax quantization of a 2-D weight at `bits` bits, returned dequantized (float).

    One scale per row (group_size=None) or per run of `group_size` consecutive values within a row, as int4
    schemes do: a smaller group follows the local range more closely and costs one more scale per group.
    The grid is symmetric, -(2^(bits-1) - 1) .. 2^(bits-1) - 1.
    """
    check_tensor("w", w, ndim=2)
    if not w.is_floating_point():
        raise TypeError(f"w must be a floating-point tensor, got {w.dtype}")
    check_int("bits", bits, minimum=2, maximum=16)
    rows, cols = w.shape
    g = cols if group_size is None else check_int("group_size", group_size, minimum=1)
    if cols % g:
        raise ValueError(f"group_size must divide the row length {cols}, got {group_size}")
    qmax = 2 ** (bits - 1) - 1
    wg = w.detach().float().reshape(rows, cols // g, g)
    scale = wg.abs().amax(-1, keepdim=True).clamp(min=torch.finfo(torch.float32).tiny) / qmax
    return (torch.round(wg / scale).clamp(-qmax, qmax) * scale).reshape(rows, cols)
