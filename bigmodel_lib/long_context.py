"""Long context: how a model's positions behave on sequences longer than those it was trained on (chapter 08).

Two ways of telling a transformer where each token is:

* learned positions (GPT-2): one trained vector per position, added to the token's vector. A position the
  model never saw in training has an untrained vector, so nothing it learned applies there;
* rotary position embeddings (RoPE, Su et al. 2021, arXiv:2104.09864): queries and keys are rotated by an
  angle proportional to their position, so the attention score depends on the *difference* of positions.
  Nothing is tied to an absolute position, but distances longer than any seen in training are still new.

`make_rope_gpt` builds the library's GPT with learned positions swapped for RoPE and nothing else changed
(same LayerNorm, GELU MLP and number of heads), so a comparison isolates the positions; `position_losses`
measures the loss at each position of sequences up to twice the training length.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .checks import check_int, check_tensor
from .gqa import GroupedQueryAttention
from .models import GPT, GPTConfig
from .rope import RotaryEmbedding


class NoPositions(nn.Module):
    """Stands where GPT adds learned positions and adds nothing (RoPE puts positions inside attention)."""

    def __init__(self) -> None:
        super().__init__()

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """x [B, T, d] -> x unchanged."""
        check_tensor("x", x, ndim=3, floating=True, shape_hint="[batch, time, d_model]")
        check_int("offset", offset, minimum=0)
        return x


def make_rope_gpt(config: GPTConfig) -> GPT:
    """The library's GPT with rotary position embeddings in every attention layer instead of learned positions.

    Each block's multi-head attention becomes a `GroupedQueryAttention` with as many key/value heads as query
    heads (plain multi-head attention) and a RotaryEmbedding covering `config.block_size` positions.
    """
    if not isinstance(config, GPTConfig):
        raise TypeError(f"config must be a GPTConfig, got {type(config).__name__}")
    model = GPT(config)
    model.pos_emb = NoPositions()
    head_dim = config.d_model // config.n_head
    for block in model.blocks:
        block.self_attn = GroupedQueryAttention(config.d_model, config.n_head, config.n_head, bias=config.bias,
                                                rope=RotaryEmbedding(head_dim, config.block_size),
                                                dropout=config.dropout)
    model.init_weights()
    return model


@torch.no_grad()
def position_losses(model: nn.Module, tokens: torch.Tensor, length: int, n_seqs: int = 32,
                    seed: int = 0) -> torch.Tensor:
    """Mean next-token cross-entropy at each position 0..length-1 over `n_seqs` random windows of `tokens`.

    tokens: a 1-D LongTensor (e.g. a validation split); the model must accept `length` positions.
    Returns a float tensor [length]: entry t is the loss of predicting token t+1 from tokens 0..t.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    check_tensor("tokens", tokens, ndim=1, dtypes=(torch.long,), shape_hint="[n_tokens] token ids")
    check_int("length", length, minimum=1, maximum=len(tokens) - 1)
    check_int("n_seqs", n_seqs, minimum=1)
    g = torch.Generator().manual_seed(seed)
    starts = torch.randint(0, len(tokens) - length, (n_seqs,), generator=g)
    x = torch.stack([tokens[s:s + length] for s in starts.tolist()])
    y = torch.stack([tokens[s + 1:s + length + 1] for s in starts.tolist()])
    was_training = model.training
    model.eval()
    dev = next(model.parameters()).device
    logits = model(x.to(dev))[0].float()
    model.train(was_training)
    return F.cross_entropy(logits.transpose(1, 2), y.to(dev), reduction="none").mean(0).cpu()
