"""Rotary position embeddings (RoPE; Su et al., 2021, arXiv:2104.09864), as Llama uses them.

Instead of adding a position vector to the input, RoPE rotates each query and key: the head's
dimensions are split into pairs, and pair i at position p is turned by the angle p · θ_i, with
θ_i = base^(-2i/head_dim). A dot product between a query at p and a key at s then depends only on
p - s: attention sees relative positions, and no position table is learned.

The pairs follow Hugging Face's Llama layout ("rotate_half": dimension i is paired with
i + head_dim/2, not with i + 1), so checkpoint weights load unchanged.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from .checks import check_float, check_int, check_tensor


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """[x1, x2] -> [-x2, x1] on the last dimension: a 90° turn of every (i, i + D/2) pair."""
    check_tensor("x", x, min_ndim=1)
    if x.shape[-1] % 2:
        raise ValueError(f"x must have an even last dimension (pairs of dimensions), got shape {tuple(x.shape)}")
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate x [..., T, head_dim] by the angles whose cos and sin are [T, head_dim] (from RotaryEmbedding).

    Each pair (a, b) becomes (a·cos - b·sin, b·cos + a·sin): a 2-D rotation, so vector lengths are kept.
    """
    check_tensor("x", x, min_ndim=2, floating=True, shape_hint="[..., time, head_dim]")
    for name, t in (("cos", cos), ("sin", sin)):
        check_tensor(name, t, ndim=2, floating=True, shape_hint="[time, head_dim]")
        if t.shape != x.shape[-2:]:
            raise ValueError(f"{name} must have shape [time, head_dim] = {tuple(x.shape[-2:])} to match x, "
                             f"got {tuple(t.shape)}")
    cos, sin = cos.to(x.dtype), sin.to(x.dtype)
    return x * cos + rotate_half(x) * sin


LLAMA3_KEYS = ("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings")


def llama3_inv_freq(inv_freq: torch.Tensor, factor: float, low_freq_factor: float, high_freq_factor: float,
                    original_max_position_embeddings: int) -> torch.Tensor:
    """Llama 3.1's rescaled RoPE frequencies, which stretch a model trained on a short context to a long one.

    Frequencies whose wavelength (2π/θ_i positions) is shorter than original/high_freq_factor are kept;
    those longer than original/low_freq_factor are divided by `factor` (they turn `factor` times slower,
    so far-apart positions look like the distances seen in training); the ones in between are blended.
    """
    check_tensor("inv_freq", inv_freq, ndim=1, floating=True)
    for name, v in (("factor", factor), ("low_freq_factor", low_freq_factor), ("high_freq_factor", high_freq_factor)):
        check_float(name, v, minimum=0.0, exclusive_min=True)
    if high_freq_factor <= low_freq_factor:
        raise ValueError(f"high_freq_factor ({high_freq_factor}) must be > low_freq_factor ({low_freq_factor})")
    old = check_int("original_max_position_embeddings", original_max_position_embeddings, minimum=1)
    wavelen = 2 * math.pi / inv_freq
    slowed = torch.where(wavelen > old / low_freq_factor, inv_freq / factor, inv_freq)
    smooth = (old / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    blended = (1 - smooth) * slowed / factor + smooth * slowed
    medium = ~(wavelen < old / high_freq_factor) & ~(wavelen > old / low_freq_factor)
    return torch.where(medium, blended, slowed)


class RotaryEmbedding(nn.Module):
    """The cos and sin of RoPE's angles for positions offset..offset+T-1; no parameters.

    scaling: None for plain RoPE, or Llama 3.1's frequency rescaling as stored in its config.json
    ({"rope_type": "llama3", "factor", "low_freq_factor", "high_freq_factor",
    "original_max_position_embeddings"}; see `llama3_inv_freq`).

    `rope(T, offset)` returns (cos, sin), each [T, head_dim] in float32; `apply_rotary(q, cos, sin)`
    turns queries or keys. With a KV cache, the new token's position is the cache length (`offset`).
    """

    def __init__(self, head_dim: int, max_len: int = 4096, base: float = 10000.0, scaling: dict | None = None):
        super().__init__()
        check_int("head_dim", head_dim, minimum=2)
        if head_dim % 2:
            raise ValueError(f"head_dim must be even (RoPE rotates pairs of dimensions), got {head_dim}")
        self.max_len = check_int("max_len", max_len, minimum=1)
        self.base = check_float("base", base, minimum=1.0, exclusive_min=True)
        self.head_dim = head_dim
        inv_freq = 1.0 / (self.base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        if scaling is not None:                   # e.g. Llama 3.1-3.2 checkpoints: {"rope_type": "llama3", ...}
            if not isinstance(scaling, dict) or scaling.get("rope_type") != "llama3":
                raise ValueError(f"scaling must be None or a dict with rope_type 'llama3' (the only scaling "
                                 f"implemented), got {scaling!r}")
            missing = [k for k in LLAMA3_KEYS if k not in scaling]
            if missing:
                raise ValueError(f"scaling (llama3) is missing {missing}")
            inv_freq = llama3_inv_freq(inv_freq, *(scaling[k] for k in LLAMA3_KEYS))
        self.scaling = scaling
        self.register_buffer("inv_freq", inv_freq, persistent=False)   # θ_i, [head_dim / 2]

    def forward(self, seq_len: int, offset: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        check_int("seq_len", seq_len, minimum=1)
        check_int("offset", offset, minimum=0)
        if offset + seq_len > self.max_len:
            raise ValueError(f"positions up to {offset + seq_len} exceed max_len={self.max_len}")
        pos = torch.arange(offset, offset + seq_len, device=self.inv_freq.device, dtype=torch.float32)
        angles = pos[:, None] * self.inv_freq[None, :]                  # [T, head_dim / 2]: p · θ_i
        emb = torch.cat((angles, angles), dim=-1)                       # pair i and i + D/2 share an angle
        return emb.cos(), emb.sin()

    def extra_repr(self) -> str:
        return f"head_dim={self.head_dim}, max_len={self.max_len}, base={self.base}"
