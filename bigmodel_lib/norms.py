"""RMSNorm: the normalisation of Llama-style models (Zhang & Sennrich, 2019).

LayerNorm subtracts the mean and divides by the standard deviation, then adds a bias. RMSNorm skips the
mean and the bias: it divides each vector by its root-mean-square and multiplies by a learned gain.
One statistic instead of two, and no shift, for the same training stability in practice.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from .checks import check_float, check_int, check_tensor


class RMSNorm(nn.Module):
    """y = x / sqrt(mean(x²) + eps) · weight, over the last dimension.

    The statistic is computed in float32 whatever the input dtype (as Hugging Face's Llama does), so a
    bfloat16 model normalises without losing precision; the result comes back in the input's dtype.
    """

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        check_int("dim", dim, minimum=1)
        self.eps = check_float("eps", eps, minimum=0.0, exclusive_min=True)
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, min_ndim=1, last_dim=self.weight.shape[0], floating=True, shape_hint="[..., dim]")
        dtype = x.dtype
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(dtype)

    def extra_repr(self) -> str:
        return f"{self.weight.shape[0]}, eps={self.eps}"
