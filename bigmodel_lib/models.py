"""Whole models built from the layers: an encoder-decoder Transformer, a decoder-only GPT and a classifier.

Every model's forward takes the inputs and, optionally, the targets, and returns (logits, loss),
so the one training loop in `train` drives all of them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import padding_mask
from .checks import check_float, check_int, check_tensor, check_tokens
from .decoder import gpt_block
from .layers import ACTIVATIONS, DecoderLayer, EncoderLayer, LearnedPositionalEncoding, SinusoidalPositionalEncoding


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of distinct parameters (a tied weight counts once)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


# --------------------------------------------------------------------------- GPT
@dataclass
class GPTConfig:
    """Shape of a decoder-only model; the defaults are a small character-level LM for a laptop CPU.

    The last four fields default to the course's GPT; GPT-2's checkpoints need activation="gelu_tanh"
    (see `checkpoints.load_gpt2`). d_ff None means 4 · d_model.
    """
    vocab_size: int = 96
    block_size: int = 64      # context length: the most positions the model can see
    n_layer: int = 4
    n_head: int = 4
    d_model: int = 128
    dropout: float = 0.0
    tie_weights: bool = True  # the output head reuses the token embedding (saves V·d parameters)
    d_ff: int | None = None   # feed-forward width
    activation: str = "gelu"  # "gelu" (exact) or "gelu_tanh" (GPT-2's approximation)
    ln_eps: float = 1e-5      # LayerNorm epsilon
    bias: bool = True         # biases in the linear layers and LayerNorms (GPT-2 has them)

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "d_model"):
            check_int(f"GPTConfig.{name}", getattr(self, name), minimum=1)
        if self.d_model % self.n_head:
            raise ValueError(f"GPTConfig.d_model ({self.d_model}) must be divisible by n_head ({self.n_head})")
        check_float("GPTConfig.dropout", self.dropout, minimum=0.0, maximum=0.99)
        if self.d_ff is not None:
            check_int("GPTConfig.d_ff", self.d_ff, minimum=1)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"GPTConfig.activation must be one of {list(ACTIVATIONS)}, got {self.activation!r}")
        check_float("GPTConfig.ln_eps", self.ln_eps, minimum=0.0, exclusive_min=True)
        for name in ("tie_weights", "bias"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"GPTConfig.{name} must be a bool, got {getattr(self, name)!r}")


class CausalLM(nn.Module):
    """What every decoder-only LM of the library shares: weight init, forward with a KV cache, generate.

    A subclass builds `tok_emb`, `blocks` (decoder blocks taking `cache=`), `ln_f` and `head`, has a
    `config` with vocab_size, block_size and n_layer, and says how tokens become vectors in `_embed`
    (GPT adds learned positions there; Llama adds nothing, its positions enter attention via RoPE).
    """

    # output projections of each residual branch: initialised smaller, by 1/sqrt(2·layers) (GPT-2)
    RESIDUAL_PROJECTIONS = ("out_proj.weight", "linear2.weight", "o_proj.weight", "down_proj.weight")

    def init_weights(self) -> None:
        """GPT-2's initialisation: N(0, 0.02) for linear and embedding weights, zero biases, residual
        projections shrunk by 1/sqrt(2·n_layer) so the residual stream's variance does not grow with depth."""
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith(self.RESIDUAL_PROJECTIONS):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * self.config.n_layer))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0.0, 0.02)

    def _embed(self, idx: torch.Tensor, past: int) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None, caches: list | None = None,
                last_only: bool = False) -> tuple[torch.Tensor, torch.Tensor | None]:
        """idx: [B, T] token ids -> (logits [B, T, V], mean cross-entropy against `targets` or None).

        caches: one dict per block for incremental decoding (see `generate`); last_only: compute
        logits for the final position only (all that sampling needs).
        """
        c = self.config
        past = caches[0]["k"].shape[2] if caches and "k" in caches[0] else 0
        check_tokens("idx", idx, c.vocab_size, max_len=c.block_size - past)
        x = self._embed(idx, past)
        for i, block in enumerate(self.blocks):
            x = block(x, is_causal=True, cache=None if caches is None else caches[i])
        x = self.ln_f(x)
        if last_only:
            x = x[:, -1:]
        logits = self.head(x)
        loss = None
        if targets is not None:
            check_tokens("targets", targets, c.vocab_size)
            if targets.shape != idx.shape:
                raise ValueError(f"targets must have the shape of idx {tuple(idx.shape)}, got {tuple(targets.shape)}")
            loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        return logits, loss

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
                 use_cache: bool = True, generator: torch.Generator | None = None) -> torch.Tensor:
        """Append `max_new_tokens` sampled tokens to idx [B, T]; temperature 0 means greedy.

        The rule, on both paths: each new token is drawn from the model's prediction given the last
        `block_size` tokens (a sliding window; a longer prompt is cropped to its last `block_size`).
        use_cache=False recomputes that window for every token. use_cache=True keeps each layer's keys
        and values, so while the sequence fits in the window each new token costs one position instead
        of the whole window (O(T) work per token instead of O(T²)). Once the sequence is longer than the
        window, the window slides by one with every token: each kept token moves to a new position (its
        learned position embedding or rotary angle changes) and loses its oldest context, so all its keys
        and values change, the cache no longer
        applies and each step recomputes the window exactly as use_cache=False does. Both paths
        therefore give the same tokens (with the same `generator` when sampling).
        """
        c = self.config
        check_int("max_new_tokens", max_new_tokens, minimum=0)
        check_float("temperature", temperature, minimum=0.0)
        if top_k is not None:
            check_int("top_k", top_k, minimum=1, maximum=c.vocab_size)
        check_tokens("idx", idx, c.vocab_size, values=True)   # once per call, not once per token
        was_training = self.training
        self.eval()
        try:
            caches = None
            for _ in range(max_new_tokens):
                if use_cache and idx.shape[1] <= c.block_size:
                    if caches is None:                      # first step: store the prompt's keys and values
                        caches = [{} for _ in self.blocks]
                        logits, _ = self(idx, caches=caches, last_only=True)
                    else:                                   # then feed only the newest token
                        logits, _ = self(idx[:, -1:], caches=caches, last_only=True)
                else:
                    logits, _ = self(idx[:, -c.block_size:], last_only=True)
                logits = logits[:, -1]
                if temperature == 0.0:
                    nxt = logits.argmax(-1, keepdim=True)
                else:
                    logits = logits / temperature
                    if top_k is not None:
                        kth = torch.topk(logits, top_k).values[:, -1:]
                        logits = logits.masked_fill(logits < kth, float("-inf"))
                    nxt = torch.multinomial(torch.softmax(logits.float(), -1), 1, generator=generator)
                idx = torch.cat([idx, nxt], dim=1)
        finally:
            self.train(was_training)
        return idx




class GPT(CausalLM):
    """Decoder-only transformer LM: token + learned position embeddings, pre-LN causal blocks, tied head.

    Each block is a `decoder.DecoderBlock` built by `gpt_block`: LayerNorm, multi-head causal
    self-attention, LayerNorm, GELU feed-forward, each sub-layer in a residual connection.
    """

    def __init__(self, config: GPTConfig):
        super().__init__()
        if not isinstance(config, GPTConfig):
            raise TypeError(f"config must be a GPTConfig, got {type(config).__name__}")
        c = self.config = config
        self.tok_emb = nn.Embedding(c.vocab_size, c.d_model)
        self.pos_emb = LearnedPositionalEncoding(c.d_model, c.block_size)
        self.drop = nn.Dropout(c.dropout)
        self.blocks = nn.ModuleList(gpt_block(c.d_model, c.n_head, c.d_ff, c.dropout, c.activation, c.ln_eps, c.bias)
                                    for _ in range(c.n_layer))
        self.ln_f = nn.LayerNorm(c.d_model, eps=c.ln_eps, bias=c.bias)
        self.head = nn.Linear(c.d_model, c.vocab_size, bias=False)
        if c.tie_weights:
            self.head.weight = self.tok_emb.weight
        self.init_weights()

    def _embed(self, idx: torch.Tensor, past: int) -> torch.Tensor:
        """Token vectors plus the learned vectors of positions past..past+T-1."""
        return self.drop(self.pos_emb(self.tok_emb(idx), offset=past))


# ------------------------------------------------------------- encoder-decoder
class Transformer(nn.Module):
    """Encoder-decoder transformer (Vaswani et al. 2017) for sequence-to-sequence tasks.

    Source and target share one vocabulary and embedding; PAD (id `pad_id`) is masked out of
    attention and out of the loss.
    """

    def __init__(self, vocab_size: int, d_model: int = 64, n_heads: int = 4, n_layers: int = 2,
                 n_dec_layers: int | None = None, d_ff: int | None = None, dropout: float = 0.0,
                 norm_first: bool = True, max_len: int = 512, pad_id: int = 0, bos_id: int = 1, eos_id: int = 2):
        super().__init__()
        check_int("vocab_size", vocab_size, minimum=1)
        check_int("n_layers", n_layers, minimum=1)
        n_dec_layers = n_layers if n_dec_layers is None else check_int("n_dec_layers", n_dec_layers, minimum=1)
        self.vocab_size, self.d_model, self.max_len = vocab_size, d_model, max_len
        self.pad_id, self.bos_id, self.eos_id = pad_id, bos_id, eos_id
        self.embed = nn.Embedding(vocab_size, d_model)
        self.pos = SinusoidalPositionalEncoding(d_model, max_len)
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.ModuleList(EncoderLayer(d_model, n_heads, d_ff, dropout, norm_first) for _ in range(n_layers))
        self.decoder = nn.ModuleList(DecoderLayer(d_model, n_heads, d_ff, dropout, norm_first)
                                     for _ in range(n_dec_layers))
        # pre-LN stacks need a final norm (their residual stream is never normalised otherwise)
        self.enc_norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.dec_norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.head = nn.Linear(d_model, vocab_size)

    def _embed(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.drop(self.pos(self.embed(tokens) * math.sqrt(self.d_model)))

    def encode(self, src: torch.Tensor, need_weights: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """src [B, S] -> (memory [B, S, d], src padding mask [B, 1, 1, S])."""
        check_tokens("src", src, self.vocab_size, self.max_len)
        mask = padding_mask(src, self.pad_id)
        x = self._embed(src)
        for layer in self.encoder:
            x = layer(x, mask=mask, need_weights=need_weights)
        return self.enc_norm(x), mask

    def decode(self, tgt: torch.Tensor, memory: torch.Tensor, src_mask: torch.Tensor,
               need_weights: bool = False) -> torch.Tensor:
        """tgt [B, T] (starting with BOS) -> next-token logits [B, T, V]."""
        check_tokens("tgt", tgt, self.vocab_size, self.max_len)
        if tgt.shape[0] != memory.shape[0]:
            raise ValueError(f"tgt batch ({tgt.shape[0]}) must equal memory batch ({memory.shape[0]})")
        x = self._embed(tgt)
        for layer in self.decoder:
            x = layer(x, memory, memory_mask=src_mask, is_causal=True, need_weights=need_weights)
        return self.head(self.dec_norm(x))

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor, tgt_out: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Teacher forcing: logits for every target position, and the loss on non-PAD targets."""
        memory, src_mask = self.encode(src)
        logits = self.decode(tgt_in, memory, src_mask)
        loss = None
        if tgt_out is not None:
            check_tokens("tgt_out", tgt_out, self.vocab_size)
            if tgt_out.shape != tgt_in.shape:
                raise ValueError(f"tgt_out must have the shape of tgt_in {tuple(tgt_in.shape)}, "
                                 f"got {tuple(tgt_out.shape)}")
            loss = F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=self.pad_id)
        return logits, loss

    @torch.no_grad()
    def greedy_decode(self, src: torch.Tensor, max_len: int) -> torch.Tensor:
        """Decode src [B, S] one token at a time, always taking the most likely one; returns [B, <=max_len]
        tokens after BOS (PAD after each row's EOS)."""
        check_int("max_len", max_len, minimum=1, maximum=self.max_len - 1)
        was_training = self.training
        self.eval()
        try:
            memory, src_mask = self.encode(src)
            out = torch.full((src.shape[0], 1), self.bos_id, dtype=torch.long, device=src.device)
            done = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
            for _ in range(max_len):
                nxt = self.decode(out, memory, src_mask)[:, -1].argmax(-1)
                nxt = nxt.masked_fill(done, self.pad_id)
                out = torch.cat([out, nxt[:, None]], dim=1)
                done |= nxt == self.eos_id
                if bool(done.all()):
                    break
        finally:
            self.train(was_training)
        return out[:, 1:]


# ------------------------------------------------------------------ classifier
class TransformerClassifier(nn.Module):
    """Encoder-only classifier: embeddings + positions -> encoder layers -> masked mean pool -> linear.

    `forward_embeddings` starts from token embeddings, so gradient-based explainers
    (integrated gradients) can differentiate with respect to them.
    """

    def __init__(self, vocab_size: int, n_classes: int, d_model: int = 64, n_heads: int = 4, n_layers: int = 2,
                 d_ff: int | None = None, max_len: int = 128, dropout: float = 0.0, pad_id: int = 0,
                 norm_first: bool = True):
        super().__init__()
        check_int("vocab_size", vocab_size, minimum=1)
        check_int("n_classes", n_classes, minimum=2)
        check_int("n_layers", n_layers, minimum=1)
        self.vocab_size, self.n_classes, self.max_len, self.pad_id = vocab_size, n_classes, max_len, pad_id
        self.embed = nn.Embedding(vocab_size, d_model)
        self.pos = LearnedPositionalEncoding(d_model, max_len)
        self.layers = nn.ModuleList(EncoderLayer(d_model, n_heads, d_ff, dropout, norm_first) for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.head = nn.Linear(d_model, n_classes)

    def forward_embeddings(self, emb: torch.Tensor, mask: torch.Tensor | None = None,
                           need_weights: bool = False) -> torch.Tensor:
        """emb [B, T, d] token embeddings, mask [B, T] bool (True = real token) -> class logits [B, C]."""
        check_tensor("emb", emb, ndim=3, last_dim=self.embed.embedding_dim, floating=True,
                     shape_hint="[batch, time, d_model]")
        if mask is not None and (not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool
                                 or mask.shape != emb.shape[:2]):
            raise ValueError(f"mask must be a bool tensor of shape {tuple(emb.shape[:2])} ([batch, time]), got "
                             f"{tuple(mask.shape) if isinstance(mask, torch.Tensor) else type(mask).__name__}")
        x = self.pos(emb)
        attn_mask = None if mask is None else mask[:, None, None, :]
        for layer in self.layers:
            x = layer(x, mask=attn_mask, need_weights=need_weights)
        x = self.norm(x)
        if mask is None:
            pooled = x.mean(1)
        else:
            m = mask.unsqueeze(-1).to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1).clamp_min(1.0)
        return self.head(pooled)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """x [B, T] token ids (PAD = pad_id) -> (logits [B, C], cross-entropy against labels y or None)."""
        check_tokens("x", x, self.vocab_size, self.max_len)
        logits = self.forward_embeddings(self.embed(x), x != self.pad_id)
        loss = None
        if y is not None:
            if not isinstance(y, torch.Tensor) or y.shape != (x.shape[0],):
                raise ValueError(f"y must be a tensor of {x.shape[0]} labels, got "
                                 f"{tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__}")
            loss = F.cross_entropy(logits, y)
        return logits, loss

    def attention_maps(self) -> list[torch.Tensor | None]:
        """Attention weights [B, H, T, T] of each layer from the last call with need_weights=True."""
        return [layer.attn_weights for layer in self.layers]
