"""The decoder-only block: the one repeated unit of GPT-2 and of Llama-style models.

Both are pre-norm residual blocks with the same two steps:

    x = x + attention(norm1(x))      (causal self-attention: position t sees positions 0..t)
    x = x + feed_forward(norm2(x))

They differ only in which pieces fill the slots:

    slot          GPT-2                              Llama
    norm          LayerNorm (mean, variance, bias)   RMSNorm (root-mean-square, no bias)
    attention     multi-head, learned positions      grouped-query, rotary positions (RoPE)
    feed-forward  up -> GELU -> down                 SwiGLU: down(silu(gate) · up)
    biases        yes                                no

So there is one class, `DecoderBlock`, that takes its pieces, and two small functions that build
the two variants. (An encoder layer run with a causal mask computes the same as a GPT-2 block; the
decoder block has no cross-attention, unlike `layers.DecoderLayer` of the encoder-decoder Transformer.)
"""
from __future__ import annotations

import torch
import torch.nn as nn

from .attention import MultiHeadAttention
from .checks import check_float, check_int, check_tensor
from .gqa import GroupedQueryAttention
from .layers import FeedForward
from .norms import RMSNorm
from .rope import RotaryEmbedding
from .swiglu import SwiGLU


class DecoderBlock(nn.Module):
    """Pre-norm causal block: x + attn(norm1(x)), then x + ff(norm2(x)), with dropout on each branch.

    attn: a self-attention module called as attn(x, mask=, is_causal=, need_weights=, cache=) and
    returning (output, weights) (`MultiHeadAttention` or `GroupedQueryAttention`); ff: any
    [..., d] -> [..., d] module; norm1, norm2: normalisations over d. With need_weights=True the
    attention weights land in `self.attn_weights` [B, H, T, T_keys].
    """

    def __init__(self, attn: nn.Module, ff: nn.Module, norm1: nn.Module, norm2: nn.Module, dropout: float = 0.0):
        super().__init__()
        for name, m in (("attn", attn), ("ff", ff), ("norm1", norm1), ("norm2", norm2)):
            if not isinstance(m, nn.Module):
                raise TypeError(f"{name} must be an nn.Module, got {type(m).__name__}")
        if not isinstance(getattr(attn, "d_model", None), int):
            raise TypeError(f"attn must be a self-attention module with a d_model attribute "
                            f"(MultiHeadAttention, GroupedQueryAttention), got {type(attn).__name__}")
        check_float("dropout", dropout, minimum=0.0, maximum=0.99)
        # registration order (attention, feed-forward, norms) fixes the order of the state_dict and of init
        self.self_attn, self.ff, self.norm1, self.norm2 = attn, ff, norm1, norm2
        self.drop1, self.drop2 = nn.Dropout(dropout), nn.Dropout(dropout)
        self.d_model = attn.d_model
        self.attn_weights: torch.Tensor | None = None

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, is_causal: bool = True,
                need_weights: bool = False, cache: dict | None = None) -> torch.Tensor:
        """x: [B, T, d_model]; mask: bool, True = may attend; cache: this block's KV cache dict (or None)."""
        check_tensor("x", x, ndim=3, last_dim=self.d_model, floating=True, shape_hint="[batch, time, d_model]")
        out, self.attn_weights = self.self_attn(self.norm1(x), mask=mask, is_causal=is_causal,
                                                need_weights=need_weights, cache=cache)
        x = x + self.drop1(out)
        return x + self.drop2(self.ff(self.norm2(x)))


def gpt_block(d_model: int, n_heads: int, d_ff: int | None = None, dropout: float = 0.0,
              activation: str = "gelu", eps: float = 1e-5, bias: bool = True) -> DecoderBlock:
    """A GPT-2 block: LayerNorm, multi-head attention, GELU feed-forward (d_ff = 4·d_model by default), biases.

    GPT-2 itself uses activation="gelu_tanh" (GELU's tanh approximation) and eps=1e-5.
    """
    check_int("d_model", d_model, minimum=1)
    d_ff = 4 * d_model if d_ff is None else check_int("d_ff", d_ff, minimum=1)
    check_float("eps", eps, minimum=0.0, exclusive_min=True)
    if not isinstance(bias, bool):
        raise TypeError(f"bias must be a bool, got {type(bias).__name__}")
    attn = MultiHeadAttention(d_model, n_heads, dropout=dropout, bias=bias)
    ff = FeedForward(d_model, d_ff, dropout, activation, bias=bias)
    return DecoderBlock(attn, ff, nn.LayerNorm(d_model, eps=eps, bias=bias), nn.LayerNorm(d_model, eps=eps, bias=bias),
                        dropout)


def llama_block(d_model: int, n_heads: int, n_kv_heads: int, d_ff: int, rope: RotaryEmbedding | None = None,
                eps: float = 1e-6, head_dim: int | None = None, dropout: float = 0.0,
                attention_bias: bool = False, mlp_bias: bool = False) -> DecoderBlock:
    """A Llama block: RMSNorm, grouped-query attention with RoPE, SwiGLU feed-forward, no biases by default."""
    attn = GroupedQueryAttention(d_model, n_heads, n_kv_heads, bias=attention_bias, rope=rope, head_dim=head_dim,
                                 dropout=dropout)
    ff = SwiGLU(d_model, d_ff, bias=mlp_bias)
    return DecoderBlock(attn, ff, RMSNorm(d_model, eps), RMSNorm(d_model, eps), dropout)
