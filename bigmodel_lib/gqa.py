"""Grouped-query attention (GQA; Ainslie et al., 2023, arXiv:2305.13245) with a KV cache.

Multi-head attention gives every query head its own key and value head. During generation the keys
and values of all past tokens are kept (the KV cache), and that cache, not the weights, is what fills
memory on long contexts. GQA keeps `n_heads` query heads but only `n_kv_heads` key/value heads: each
group of n_heads / n_kv_heads query heads shares one. The cache shrinks by that factor.
n_kv_heads = n_heads is ordinary multi-head attention; n_kv_heads = 1 is multi-query attention.

Projections are separate q/k/v/o matrices (Hugging Face's Llama layout, so weights load by name).
"""
from __future__ import annotations

import torch
import torch.nn as nn

from .attention import attend
from .checks import check_float, check_int, check_tensor
from .rope import RotaryEmbedding, apply_rotary


def repeat_kv(x: torch.Tensor, n_rep: int) -> torch.Tensor:
    """[B, H_kv, T, D] -> [B, H_kv·n_rep, T, D]: each key/value head is shared by n_rep query heads in a row."""
    check_tensor("x", x, ndim=4, shape_hint="[batch, kv_heads, time, head_dim]")
    check_int("n_rep", n_rep, minimum=1)
    return x if n_rep == 1 else x.repeat_interleave(n_rep, dim=1)


def kv_cache_bytes(n_layers: int, n_kv_heads: int, head_dim: int, seq_len: int, batch: int = 1,
                   dtype: torch.dtype = torch.float32) -> int:
    """Bytes a KV cache needs: 2 (keys and values) · layers · kv heads · head_dim · tokens · batch · bytes/elem.

    It grows with n_kv_heads, not with the number of query heads: that is GQA's saving.
    """
    for name, v in (("n_layers", n_layers), ("n_kv_heads", n_kv_heads), ("head_dim", head_dim),
                    ("seq_len", seq_len), ("batch", batch)):
        check_int(name, v, minimum=1)
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype (e.g. torch.bfloat16), got {type(dtype).__name__}")
    item = torch.empty((), dtype=dtype).element_size()
    return 2 * n_layers * n_kv_heads * head_dim * seq_len * batch * item


class GroupedQueryAttention(nn.Module):
    """Causal self-attention with n_heads query heads sharing n_kv_heads key/value heads, optional RoPE.

    Same call as `MultiHeadAttention` for self-attention: forward(x, mask, is_causal, need_weights, cache)
    -> (output [B, T, d_model], weights [B, n_heads, T, T_keys] or None). The cache dict holds keys and
    values with n_kv_heads heads (after RoPE), so it is n_heads / n_kv_heads times smaller than MHA's.
    """

    def __init__(self, d_model: int, n_heads: int, n_kv_heads: int, bias: bool = False,
                 rope: RotaryEmbedding | None = None, head_dim: int | None = None, dropout: float = 0.0):
        super().__init__()
        check_int("d_model", d_model, minimum=1)
        check_int("n_heads", n_heads, minimum=1)
        check_int("n_kv_heads", n_kv_heads, minimum=1, maximum=n_heads)
        if n_heads % n_kv_heads:
            raise ValueError(f"n_heads ({n_heads}) must be divisible by n_kv_heads ({n_kv_heads})")
        if head_dim is None:
            if d_model % n_heads:
                raise ValueError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads}), or pass head_dim")
            head_dim = d_model // n_heads
        check_int("head_dim", head_dim, minimum=1)
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be a bool, got {type(bias).__name__}")
        if rope is not None:
            if not isinstance(rope, RotaryEmbedding):
                raise TypeError(f"rope must be a RotaryEmbedding or None, got {type(rope).__name__}")
            if rope.head_dim != head_dim:
                raise ValueError(f"rope.head_dim ({rope.head_dim}) must equal the attention head_dim ({head_dim})")
        self.dropout = check_float("dropout", dropout, minimum=0.0, maximum=0.99)
        self.d_model, self.n_heads, self.n_kv_heads, self.head_dim = d_model, n_heads, n_kv_heads, head_dim
        self.q_proj = nn.Linear(d_model, n_heads * head_dim, bias=bias)
        self.k_proj = nn.Linear(d_model, n_kv_heads * head_dim, bias=bias)
        self.v_proj = nn.Linear(d_model, n_kv_heads * head_dim, bias=bias)
        self.o_proj = nn.Linear(n_heads * head_dim, d_model, bias=bias)
        self.rope = rope

    def _heads(self, x: torch.Tensor, n: int) -> torch.Tensor:   # [B, T, n·D] -> [B, n, T, D]
        return x.unflatten(-1, (n, self.head_dim)).transpose(1, 2)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, is_causal: bool = False,
                need_weights: bool = False, cache: dict | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """x [B, T, d_model]; mask bool, broadcastable to [B, n_heads, T, T_keys], True = may attend.

        cache: a dict that keeps this layer's keys and values ("k", "v": [B, n_kv_heads, T_past, D])
        between calls; new tokens get RoPE positions after the cached ones.
        """
        check_tensor("x", x, ndim=3, last_dim=self.d_model, floating=True, shape_hint="[batch, time, d_model]")
        if cache is not None and not isinstance(cache, dict):
            raise TypeError(f"cache must be a dict (empty on the first call) or None, got {type(cache).__name__}")
        past = cache["k"].shape[2] if cache else 0
        if cache and cache["k"].shape[0] != x.shape[0]:
            raise ValueError(f"x batch ({x.shape[0]}) must equal the cache's batch ({cache['k'].shape[0]})")
        q = self._heads(self.q_proj(x), self.n_heads)
        k = self._heads(self.k_proj(x), self.n_kv_heads)
        v = self._heads(self.v_proj(x), self.n_kv_heads)
        if self.rope is not None:
            cos, sin = self.rope(x.shape[1], offset=past)
            q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        if cache is not None:
            if past:
                k, v = torch.cat([cache["k"], k], dim=2), torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v                 # stored with n_kv_heads heads: the GQA saving
        n_rep = self.n_heads // self.n_kv_heads
        k, v = repeat_kv(k, n_rep), repeat_kv(v, n_rep)  # query head h reads key/value head h // n_rep
        out, weights = attend(q, k, v, past=past, mask=mask, is_causal=is_causal, need_weights=need_weights,
                              dropout_p=self.dropout if self.training else 0.0)
        return self.o_proj(out.transpose(1, 2).flatten(2)), weights
