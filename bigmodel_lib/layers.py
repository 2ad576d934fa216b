"""Transformer building blocks: positional encodings, the feed-forward net, encoder and decoder layers.

Both layers take `norm_first`: False is the 2017 paper's post-LN (add, then normalise),
True is pre-LN (normalise the input of each sub-layer), which trains more stably when deep.
"""
from __future__ import annotations

import math
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import MultiHeadAttention
from .checks import check_int, check_tensor

# "gelu_tanh" is GELU's tanh approximation, the activation GPT-2 was trained with (its checkpoints need it)
ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu, "gelu_tanh": partial(F.gelu, approximate="tanh")}


class SinusoidalPositionalEncoding(nn.Module):
    """Adds the fixed sin/cos pattern of Vaswani et al. (2017): PE[p, 2i] = sin(p / 10000^(2i/d)), cos for 2i+1."""

    def __init__(self, d_model: int, max_len: int = 4096):
        super().__init__()
        check_int("d_model", d_model, minimum=2)
        check_int("max_len", max_len, minimum=1)
        pos = torch.arange(max_len, dtype=torch.float32)[:, None]
        freq = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(pos * freq)
        pe[:, 1::2] = torch.cos(pos * freq)[:, : d_model // 2]
        self.register_buffer("pe", pe, persistent=False)
        self.max_len = max_len

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """x: [B, T, d_model] -> x + PE[offset : offset + T]."""
        check_tensor("x", x, ndim=3, last_dim=self.pe.shape[1], floating=True)
        check_int("offset", offset, minimum=0)
        if offset + x.shape[1] > self.max_len:
            raise ValueError(f"sequence of {offset + x.shape[1]} positions exceeds max_len={self.max_len}")
        return x + self.pe[offset: offset + x.shape[1]].to(x.dtype)


class LearnedPositionalEncoding(nn.Module):
    """Adds one trained vector per position (GPT-2 style): a separate row of an embedding table for each p."""

    def __init__(self, d_model: int, max_len: int):
        super().__init__()
        check_int("d_model", d_model, minimum=1)
        check_int("max_len", max_len, minimum=1)
        self.emb = nn.Embedding(max_len, d_model)
        self.max_len = max_len

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        check_tensor("x", x, ndim=3, last_dim=self.emb.embedding_dim, floating=True)
        check_int("offset", offset, minimum=0)
        if offset + x.shape[1] > self.max_len:
            raise ValueError(f"sequence of {offset + x.shape[1]} positions exceeds max_len={self.max_len}")
        return x + self.emb.weight[offset: offset + x.shape[1]]


class FeedForward(nn.Module):
    """Position-wise MLP d -> d_ff -> d: the same two-layer net applied to every position separately."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0, activation: str = "relu", bias: bool = True):
        super().__init__()
        check_int("d_model", d_model, minimum=1)
        check_int("d_ff", d_ff, minimum=1)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
        self.linear1 = nn.Linear(d_model, d_ff, bias=bias)
        self.linear2 = nn.Linear(d_ff, d_model, bias=bias)
        self.dropout = nn.Dropout(dropout)
        self.act = ACTIVATIONS[activation]
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, min_ndim=1, last_dim=self.linear1.in_features, floating=True)
        return self.linear2(self.dropout(self.act(self.linear1(x))))


class EncoderLayer(nn.Module):
    """Self-attention then feed-forward, each wrapped in a residual connection and a LayerNorm.

    Call with need_weights=True to keep the attention weights in `self.attn_weights` [B, H, T, T].
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int | None = None, dropout: float = 0.1,
                 norm_first: bool = False, activation: str = "relu", eps: float = 1e-5):
        super().__init__()
        d_ff = 4 * d_model if d_ff is None else d_ff
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout=dropout)
        self.ff = FeedForward(d_model, d_ff, dropout, activation)
        self.norm1, self.norm2 = nn.LayerNorm(d_model, eps=eps), nn.LayerNorm(d_model, eps=eps)
        self.drop1, self.drop2 = nn.Dropout(dropout), nn.Dropout(dropout)
        self.norm_first = norm_first
        self.attn_weights: torch.Tensor | None = None

    def _sa(self, x, mask, is_causal, need_weights, cache):
        out, self.attn_weights = self.self_attn(x, mask=mask, is_causal=is_causal, need_weights=need_weights,
                                                cache=cache)
        return self.drop1(out)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, is_causal: bool = False,
                need_weights: bool = False, cache: dict | None = None) -> torch.Tensor:
        """x: [B, T, d_model]; mask: bool, True = may attend (e.g. padding_mask(src)).

        With is_causal=True this is a GPT block (a decoder without cross-attention); `cache`
        keeps its keys and values for incremental generation.
        """
        check_tensor("x", x, ndim=3, last_dim=self.norm1.normalized_shape[0], floating=True,
                     shape_hint="[batch, time, d_model]")
        if self.norm_first:
            x = x + self._sa(self.norm1(x), mask, is_causal, need_weights, cache)
            return x + self.drop2(self.ff(self.norm2(x)))
        x = self.norm1(x + self._sa(x, mask, is_causal, need_weights, cache))
        return self.norm2(x + self.drop2(self.ff(x)))


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention to the encoder's output, then feed-forward.

    The self-attention is causal by default, so position i cannot peek at the targets after it.
    With need_weights=True the weights land in `self_weights` and `cross_weights`.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int | None = None, dropout: float = 0.1,
                 norm_first: bool = False, activation: str = "relu", eps: float = 1e-5):
        super().__init__()
        d_ff = 4 * d_model if d_ff is None else d_ff
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout=dropout)
        self.cross_attn = MultiHeadAttention(d_model, n_heads, dropout=dropout)
        self.ff = FeedForward(d_model, d_ff, dropout, activation)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model, eps=eps) for _ in range(3))
        self.drop1, self.drop2, self.drop3 = nn.Dropout(dropout), nn.Dropout(dropout), nn.Dropout(dropout)
        self.norm_first = norm_first
        self.self_weights: torch.Tensor | None = None
        self.cross_weights: torch.Tensor | None = None

    def _sa(self, x, mask, is_causal, need_weights):
        out, self.self_weights = self.self_attn(x, mask=mask, is_causal=is_causal, need_weights=need_weights)
        return self.drop1(out)

    def _ca(self, x, memory, memory_mask, need_weights):
        out, self.cross_weights = self.cross_attn(x, memory, mask=memory_mask, need_weights=need_weights)
        return self.drop2(out)

    def forward(self, x: torch.Tensor, memory: torch.Tensor, self_mask: torch.Tensor | None = None,
                memory_mask: torch.Tensor | None = None, is_causal: bool = True,
                need_weights: bool = False) -> torch.Tensor:
        """x: [B, Tt, d] targets so far; memory: [B, Ts, d] encoder output; masks True = may attend."""
        d = self.norm1.normalized_shape[0]
        check_tensor("x", x, ndim=3, last_dim=d, floating=True, shape_hint="[batch, time, d_model]")
        check_tensor("memory", memory, ndim=3, last_dim=d, floating=True, shape_hint="[batch, src_time, d_model]")
        if self.norm_first:
            x = x + self._sa(self.norm1(x), self_mask, is_causal, need_weights)
            x = x + self._ca(self.norm2(x), memory, memory_mask, need_weights)
            return x + self.drop3(self.ff(self.norm3(x)))
        x = self.norm1(x + self._sa(x, self_mask, is_causal, need_weights))
        x = self.norm2(x + self._ca(x, memory, memory_mask, need_weights))
        return self.norm3(x + self.drop3(self.ff(x)))


def _torch_activation(act) -> str:
    """The name of a torch layer's activation in ACTIVATIONS' terms, or its repr when we have no equal."""
    if act is F.relu or isinstance(act, nn.ReLU):
        return "relu"
    if act is F.gelu or (isinstance(act, nn.GELU) and act.approximate == "none"):
        return "gelu"
    return repr(act)


@torch.no_grad()
def copy_from_torch(layer: nn.Module, torch_layer: nn.Module) -> nn.Module:
    """Copy the weights of nn.TransformerEncoderLayer / nn.TransformerDecoderLayer into ours.

    Used to prove the two compute the same function; returns `layer`. Equal weights only give an
    equal function when the layers are built alike, so a torch layer whose activation, norm_first,
    LayerNorm eps, bias, number of heads or batch_first (ours are batch-first) differs is refused with the
    difference named.
    """
    pairs = {EncoderLayer: nn.TransformerEncoderLayer, DecoderLayer: nn.TransformerDecoderLayer}
    expected = pairs.get(type(layer))
    if expected is None or not isinstance(torch_layer, expected):
        raise TypeError(f"copy_from_torch pairs EncoderLayer with nn.TransformerEncoderLayer and DecoderLayer "
                        f"with nn.TransformerDecoderLayer, got {type(layer).__name__} and "
                        f"{type(torch_layer).__name__}")
    attn_pairs = [(layer.self_attn, torch_layer.self_attn)]
    if isinstance(layer, DecoderLayer):
        attn_pairs.append((layer.cross_attn, torch_layer.multihead_attn))
    shapes = [(o.in_proj.weight, t.in_proj_weight) for o, t in attn_pairs] + \
        [(layer.ff.linear1.weight, torch_layer.linear1.weight)]
    for ours_w, theirs_w in shapes:
        if ours_w.shape != theirs_w.shape:
            raise ValueError(f"shape mismatch: ours {tuple(ours_w.shape)}, torch's {tuple(theirs_w.shape)}")
    theirs_settings = {"activation": _torch_activation(torch_layer.activation), "norm_first": torch_layer.norm_first,
                       "eps": torch_layer.norm1.eps, "bias": torch_layer.linear1.bias is not None,
                       "batch_first": torch_layer.self_attn.batch_first, "heads": torch_layer.self_attn.num_heads}
    ours_settings = {"activation": layer.ff.activation, "norm_first": layer.norm_first, "eps": layer.norm1.eps,
                     "bias": layer.ff.linear1.bias is not None, "batch_first": True, "heads": layer.self_attn.n_heads}
    diffs = [f"{k}: ours {ours_settings[k]!r}, torch's {theirs_settings[k]!r}"
             for k in ours_settings if ours_settings[k] != theirs_settings[k]]
    if diffs:
        raise ValueError("copy_from_torch: the layers compute different functions (" + "; ".join(diffs) +
                         "); build ours with the same settings")
    for ours, theirs in attn_pairs:
        ours.in_proj.weight.copy_(theirs.in_proj_weight)
        ours.in_proj.bias.copy_(theirs.in_proj_bias)
        ours.out_proj.load_state_dict(theirs.out_proj.state_dict())
    layer.ff.linear1.load_state_dict(torch_layer.linear1.state_dict())
    layer.ff.linear2.load_state_dict(torch_layer.linear2.state_dict())
    norms = ["norm1", "norm2"] + (["norm3"] if isinstance(layer, DecoderLayer) else [])
    for n in norms:
        getattr(layer, n).load_state_dict(getattr(torch_layer, n).state_dict())
    return layer
