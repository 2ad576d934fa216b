"""SwiGLU: the gated feed-forward network of Llama-style models (Shazeer, 2020, arXiv:2002.05202).

GPT's feed-forward is down(gelu(up(x))). SwiGLU computes two projections of x, passes one through
SiLU (x·sigmoid(x)) and uses it as a gate on the other, element by element: down(silu(gate(x)) · up(x)).
Three matrices instead of two, so models shrink d_ff (Llama: about 8/3 · d_model instead of 4 · d_model)
to keep the parameter count.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .checks import check_int, check_tensor


class SwiGLU(nn.Module):
    """down_proj(silu(gate_proj(x)) * up_proj(x)); names as in Hugging Face's LlamaMLP, so weights load by name."""

    def __init__(self, d_model: int, d_ff: int, bias: bool = False):
        super().__init__()
        check_int("d_model", d_model, minimum=1)
        check_int("d_ff", d_ff, minimum=1)
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be a bool, got {type(bias).__name__}")
        self.gate_proj = nn.Linear(d_model, d_ff, bias=bias)
        self.up_proj = nn.Linear(d_model, d_ff, bias=bias)
        self.down_proj = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, min_ndim=1, last_dim=self.gate_proj.in_features, floating=True,
                     shape_hint="[..., d_model]")
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))
