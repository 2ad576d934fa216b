"""A Llama-architecture language model: GPT's skeleton with today's open-model pieces.

Token embedding (no position table: RoPE puts positions into attention) -> `n_layer` decoder blocks
(RMSNorm, grouped-query attention with RoPE, SwiGLU, no biases) -> RMSNorm -> linear head.
Forward and generate behave exactly like `models.GPT` (same arguments, same KV-cache rule), so the
training loop, the chapters' code and `checkpoints.load_llama` treat both alike.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from .checks import check_float, check_int
from .decoder import llama_block
from .models import CausalLM
from .norms import RMSNorm
from .rope import RotaryEmbedding


@dataclass
class LlamaConfig:
    """Shape of a Llama-style model; the defaults are a small character-level LM for a laptop CPU.

    d_ff None means about 8/3 · d_model rounded up to a multiple of 16 (SwiGLU's three matrices then
    hold about as many weights as GPT's two of 4 · d_model). head_dim None means d_model // n_head.
    """
    vocab_size: int = 96
    block_size: int = 64        # context length: the most positions the model can see
    n_layer: int = 4
    n_head: int = 4
    n_kv_head: int = 2          # key/value heads shared by n_head / n_kv_head query heads each (GQA)
    d_model: int = 128
    d_ff: int | None = None
    head_dim: int | None = None
    rope_base: float = 10000.0
    norm_eps: float = 1e-6
    dropout: float = 0.0
    tie_weights: bool = False   # Llama 1-2 keep a separate output head; small Llama 3.2 models tie it
    attention_bias: bool = False
    mlp_bias: bool = False
    rope_scaling: dict | None = None   # Llama 3.1-3.2's {"rope_type": "llama3", ...}; see rope.RotaryEmbedding

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_kv_head", "d_model"):
            check_int(f"LlamaConfig.{name}", getattr(self, name), minimum=1)
        if self.n_head % self.n_kv_head:
            raise ValueError(f"LlamaConfig.n_head ({self.n_head}) must be divisible by n_kv_head ({self.n_kv_head})")
        if self.head_dim is None:
            if self.d_model % self.n_head:
                raise ValueError(f"LlamaConfig.d_model ({self.d_model}) must be divisible by n_head ({self.n_head})")
            self.head_dim = self.d_model // self.n_head
        check_int("LlamaConfig.head_dim", self.head_dim, minimum=2)
        if self.head_dim % 2:
            raise ValueError(f"LlamaConfig.head_dim must be even for RoPE, got {self.head_dim}")
        if self.d_ff is None:
            self.d_ff = -(-8 * self.d_model // 3 // 16) * 16
        check_int("LlamaConfig.d_ff", self.d_ff, minimum=1)
        check_float("LlamaConfig.rope_base", self.rope_base, minimum=1.0, exclusive_min=True)
        check_float("LlamaConfig.norm_eps", self.norm_eps, minimum=0.0, exclusive_min=True)
        check_float("LlamaConfig.dropout", self.dropout, minimum=0.0, maximum=0.99)
        for name in ("tie_weights", "attention_bias", "mlp_bias"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"LlamaConfig.{name} must be a bool, got {getattr(self, name)!r}")


class Llama(CausalLM):
    """Decoder-only LM in the Llama architecture; forward(idx, targets) -> (logits, loss) and generate as GPT."""

    def __init__(self, config: LlamaConfig):
        super().__init__()
        if not isinstance(config, LlamaConfig):
            raise TypeError(f"config must be a LlamaConfig, got {type(config).__name__}")
        c = self.config = config
        self.tok_emb = nn.Embedding(c.vocab_size, c.d_model)
        self.drop = nn.Dropout(c.dropout)
        # one RoPE module, shared by every layer (it holds no weights, only the frequencies)
        self.rope = RotaryEmbedding(c.head_dim, max_len=c.block_size, base=c.rope_base, scaling=c.rope_scaling)
        self.blocks = nn.ModuleList(
            llama_block(c.d_model, c.n_head, c.n_kv_head, c.d_ff, rope=self.rope, eps=c.norm_eps, head_dim=c.head_dim,
                        dropout=c.dropout, attention_bias=c.attention_bias, mlp_bias=c.mlp_bias)
            for _ in range(c.n_layer))
        self.ln_f = RMSNorm(c.d_model, c.norm_eps)
        self.head = nn.Linear(c.d_model, c.vocab_size, bias=False)
        if c.tie_weights:
            self.head.weight = self.tok_emb.weight
        self.init_weights()

    def _embed(self, idx: torch.Tensor, past: int) -> torch.Tensor:
        """Token vectors only: positions enter inside attention, through RoPE."""
        return self.drop(self.tok_emb(idx))
