"""Scaled dot-product attention written from the formula, its masks, and multi-head attention.

Masks follow torch's boolean convention: True means "this query may attend to this key".
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .checks import check_int, check_tensor


def causal_mask(size: int, device: torch.device | str | None = None) -> torch.Tensor:
    """[size, size] bool mask, True on and below the diagonal: position i sees positions 0..i."""
    check_int("size", size, minimum=1)
    return torch.ones(size, size, dtype=torch.bool, device=device).tril()


def padding_mask(tokens: torch.Tensor, pad_id: int = 0) -> torch.Tensor:
    """[batch, 1, 1, time] bool mask from token ids, True where the key is a real token (not `pad_id`).

    The two singleton dimensions broadcast over heads and queries.
    """
    check_tensor("tokens", tokens, ndim=2, dtypes=(torch.int64, torch.int32, torch.int16, torch.uint8))
    return (tokens != pad_id)[:, None, None, :]


def _check_qkv(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None) -> None:
    for name, t in (("q", q), ("k", k), ("v", v)):
        check_tensor(name, t, min_ndim=2, floating=True)
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must share their last dimension (d_k), got q {tuple(q.shape)} "
                         f"and k {tuple(k.shape)}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of keys (dim -2), got k {tuple(k.shape)} "
                         f"and v {tuple(v.shape)}")
    if q.shape[-2] == 0 or k.shape[-2] == 0:
        raise ValueError(f"q and k need at least one position, got q {tuple(q.shape)}, k {tuple(k.shape)}")
    if mask is not None:
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            raise TypeError("mask must be a bool tensor (True = may attend), got "
                            f"{mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__}")
        target = (*torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]), q.shape[-2], k.shape[-2])
        try:
            torch.broadcast_shapes(mask.shape, target)
        except RuntimeError:
            raise ValueError(f"mask of shape {tuple(mask.shape)} does not broadcast to the scores' "
                             f"shape {target} ([..., queries, keys])") from None


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 mask: torch.Tensor | None = None, dropout_p: float = 0.0,
                                 scale: float | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q kᵀ / √d_k) v, step by step; returns (output, attention weights).

    q: [..., Tq, d_k], k: [..., Tk, d_k], v: [..., Tk, d_v]; mask: bool, broadcastable to
    [..., Tq, Tk], True = may attend. A query whose keys are all masked gets zero weights
    and a zero output instead of the NaN that softmax over all -inf would give.
    """
    _check_qkv(q, k, v, mask)
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"dropout_p must be in [0, 1), got {dropout_p}")
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = (q @ k.transpose(-2, -1)) * scale            # [..., Tq, Tk]: how well each query matches each key
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)                # each row sums to 1 over the visible keys
    if mask is not None:
        visible = mask.any(dim=-1, keepdim=True)            # does each query see at least one key?
        if mask.device.type != "cpu" or not bool(visible.all()):  # (on CPU, skip the pass when all do)
            weights = weights.masked_fill(~visible, 0.0)   # fully masked row -> 0, not NaN
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    return weights @ v, weights


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, *, past: int = 0, mask: torch.Tensor | None = None,
           is_causal: bool = False, need_weights: bool = False,
           dropout_p: float = 0.0) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The attention step of a layer whose heads are split: q [B, H, Tq, D] against k, v [B, H, Tk, D], of
    which the first `past` keys came from a KV cache (so query i sits at absolute position past + i).

    Shared by `MultiHeadAttention` and `gqa.GroupedQueryAttention`. is_causal lets query i see keys
    0..past + i; `mask` (bool, True = may attend) is applied on top. Without `need_weights` it runs torch's
    fused kernel; with it, the formula above, to return the weights. A fully masked query gives zeros.
    Returns (output [B, H, Tq, D], weights [B, H, Tq, Tk] or None).
    """
    check_int("past", past, minimum=0)
    if mask is not None:
        _check_qkv(q, k, v, mask)
    tq, tk = q.shape[-2], k.shape[-2]
    if past > 0 and tq == 1:
        is_causal = False  # one new query at the end may see the whole cache: only the caller's mask applies
    elif is_causal and (past > 0 or need_weights or mask is not None):
        # query i sits at absolute position past + i and may see keys 0..past + i
        cm = torch.ones(tq, tk, dtype=torch.bool, device=q.device).tril(diagonal=past)
        mask = cm if mask is None else mask & cm
        is_causal = False
    if need_weights:
        return scaled_dot_product_attention(q, k, v, mask=mask, dropout_p=dropout_p)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p, is_causal=is_causal)
    if mask is not None:  # torch's kernels may give NaN for a fully masked row; we promise zeros
        out = out.masked_fill(~mask.any(dim=-1, keepdim=True), 0.0)
    return out, None


class MultiHeadAttention(nn.Module):
    """Multi-head attention on [batch, time, d_model] tensors, for self- and cross-attention.

    The q, k, v projections live in one [3·d_model, d_model] matrix (the layout of
    nn.MultiheadAttention, so weights copy across). Without `need_weights` it runs torch's
    fused F.scaled_dot_product_attention; with it, the formula above, so the weights can be drawn.
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, bias: bool = True):
        super().__init__()
        check_int("d_model", d_model, minimum=1)
        check_int("n_heads", n_heads, minimum=1)
        if d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.d_model, self.n_heads, self.head_dim, self.dropout = d_model, n_heads, d_model // n_heads, dropout
        self.in_proj = nn.Linear(d_model, 3 * d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:   # [B, T, d] -> [B, H, T, d/H]
        return x.unflatten(-1, (self.n_heads, self.head_dim)).transpose(1, 2)

    def forward(self, x: torch.Tensor, memory: torch.Tensor | None = None, mask: torch.Tensor | None = None,
                is_causal: bool = False, need_weights: bool = False,
                cache: dict | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Attend from `x` [B, Tq, d] to `memory` [B, Tk, d] (or to `x` itself when memory is None).

        mask: bool, broadcastable to [B, H, Tq, Tk], True = may attend. is_causal: add the causal
        mask (self-attention only). cache: a dict that keeps this layer's keys and values between
        calls, for incremental decoding (self-attention only). Returns (output [B, Tq, d],
        weights [B, H, Tq, Tk] or None).
        """
        check_tensor("x", x, ndim=3, last_dim=self.d_model, floating=True)
        d = self.d_model
        if memory is None:
            q, k, v = self.in_proj(x).split(d, dim=-1)
        else:
            check_tensor("memory", memory, ndim=3, last_dim=d, floating=True)
            if memory.shape[0] != x.shape[0]:
                raise ValueError(f"memory batch ({memory.shape[0]}) must equal x batch ({x.shape[0]})")
            if is_causal or cache is not None:
                raise ValueError("is_causal and cache are for self-attention; pass memory=None")
            w, b = self.in_proj.weight, self.in_proj.bias
            q = F.linear(x, w[:d], None if b is None else b[:d])
            k, v = F.linear(memory, w[d:], None if b is None else b[d:]).split(d, dim=-1)
        q, k, v = self._heads(q), self._heads(k), self._heads(v)
        past = 0
        if cache is not None:
            if "k" in cache:
                past = cache["k"].shape[2]
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        out, weights = attend(q, k, v, past=past, mask=mask, is_causal=is_causal, need_weights=need_weights,
                              dropout_p=self.dropout if self.training else 0.0)
        out = out.transpose(1, 2).flatten(2)               # merge heads: [B, Tq, d]
        return self.out_proj(out), weights
