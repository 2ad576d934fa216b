"""Bad-input cases for bigmodel_lib.decoder (format: tests/bad_input_cases/__init__.py)."""
import torch
from torch import nn

from bigmodel_lib.attention import MultiHeadAttention
from bigmodel_lib.decoder import DecoderBlock, gpt_block, llama_block
from bigmodel_lib.rope import RotaryEmbedding

CASES = [
    ("block-attn-type", "decoder.DecoderBlock", lambda: DecoderBlock(nn.Linear(4, 4), nn.Identity(), nn.Identity(),
                                                                       nn.Identity()), TypeError,
     r"attn must be a self-attention module"),
    ("block-ff-type", "decoder.DecoderBlock", lambda: DecoderBlock(MultiHeadAttention(8, 2), "mlp", nn.Identity(),
                                                                     nn.Identity()), TypeError, r"ff must be an nn.Module"),
    ("block-dropout", "decoder.DecoderBlock", lambda: DecoderBlock(MultiHeadAttention(8, 2), nn.Identity(), nn.Identity(),
                                                                     nn.Identity(), dropout=1.5), ValueError,
     r"dropout must be <= 0.99"),
    ("block-x-dim", "decoder.DecoderBlock.forward", lambda: gpt_block(8, 2)(torch.randn(2, 3, 6)), ValueError,
     r"x must have last dimension 8"),
    ("block-x-rank", "decoder.DecoderBlock.forward", lambda: gpt_block(8, 2)(torch.randn(3, 8)), ValueError,
     r"x must have 3 dimensions"),
    ("gpt-block-heads", "decoder.gpt_block", lambda: gpt_block(10, 3), ValueError, r"must be divisible by n_heads"),
    ("gpt-block-act", "decoder.gpt_block", lambda: gpt_block(8, 2, activation="swish"), ValueError,
     r"activation must be one of"),
    ("gpt-block-eps", "decoder.gpt_block", lambda: gpt_block(8, 2, eps=-1.0), ValueError, r"eps must be > 0"),
    ("llama-block-kv", "decoder.llama_block", lambda: llama_block(8, 4, 3, 16), ValueError,
     r"n_heads \(4\) must be divisible by n_kv_heads \(3\)"),
    ("llama-block-rope", "decoder.llama_block", lambda: llama_block(8, 2, 1, 16, rope=RotaryEmbedding(2)), ValueError,
     r"rope.head_dim \(2\) must equal"),
]
