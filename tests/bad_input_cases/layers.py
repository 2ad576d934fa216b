"""Bad-input cases for bigmodel_lib.layers (format: tests/bad_input_cases/__init__.py)."""

import torch
import torch.nn as nn

from bigmodel_lib import layers

CASES = [
    ("sinus-d", "layers.SinusoidalPositionalEncoding", lambda: layers.SinusoidalPositionalEncoding(1), ValueError, r"d_model must be >= 2"),
    ("sinus-too-long", "layers.SinusoidalPositionalEncoding.forward", lambda: layers.SinusoidalPositionalEncoding(8, max_len=4)(torch.randn(1, 5, 8)), ValueError,
     r"exceeds max_len=4"),
    ("learned-too-long", "layers.LearnedPositionalEncoding.forward", lambda: layers.LearnedPositionalEncoding(8, 4)(torch.randn(1, 5, 8)), ValueError, r"exceeds max_len=4"),
    ("learned-dim", "layers.LearnedPositionalEncoding.forward", lambda: layers.LearnedPositionalEncoding(8, 4)(torch.randn(1, 3, 6)), ValueError, r"last dimension 8"),
    ("ff-activation", "layers.FeedForward", lambda: layers.FeedForward(8, 16, activation="swish"), ValueError, r"activation must be one of"),
    ("ff-size", "layers.FeedForward", lambda: layers.FeedForward(8, 0), ValueError, r"d_ff must be >= 1"),
    ("ff-last-dim", "layers.FeedForward.forward", lambda: layers.FeedForward(8, 16)(torch.randn(2, 5)), ValueError, r"x must have last dimension 8"),
    ("enc-heads", "layers.EncoderLayer", lambda: layers.EncoderLayer(8, 3), ValueError, r"must be divisible by n_heads"),
    ("enc-last-dim", "layers.EncoderLayer.forward", lambda: layers.EncoderLayer(8, 2, norm_first=True)(torch.randn(2, 3, 6)), ValueError,
     r"x must have last dimension 8 \[batch, time, d_model\]"),
    ("enc-rank", "layers.EncoderLayer.forward", lambda: layers.EncoderLayer(8, 2)(torch.randn(3, 8)), ValueError, r"x must have 3 dimensions"),
    ("dec-memory-dim", "layers.DecoderLayer.forward", lambda: layers.DecoderLayer(8, 2)(torch.randn(2, 3, 8), torch.randn(2, 4, 6)), ValueError,
     r"memory must have last dimension 8"),
    ("dec-memory-batch", "layers.DecoderLayer.forward", lambda: layers.DecoderLayer(8, 2)(torch.randn(2, 3, 8), torch.randn(1, 4, 8)), ValueError,
     r"memory batch \(1\) must equal x batch \(2\)"),
    ("copy-pair", "layers.copy_from_torch", lambda: layers.copy_from_torch(layers.EncoderLayer(8, 2), nn.Linear(2, 2)), TypeError, r"copy_from_torch pairs"),
    ("copy-shape", "layers.copy_from_torch", lambda: layers.copy_from_torch(layers.EncoderLayer(8, 2), nn.TransformerEncoderLayer(16, 2)),
     ValueError, r"shape mismatch"),
    ("learned-d", "layers.LearnedPositionalEncoding", lambda: layers.LearnedPositionalEncoding(0, 4), ValueError,
     r"d_model must be >= 1"),
    ("dec-heads", "layers.DecoderLayer", lambda: layers.DecoderLayer(8, 3), ValueError, r"must be divisible by n_heads"),
    ("sinus-offset-negative", "layers.SinusoidalPositionalEncoding.forward",
     lambda: layers.SinusoidalPositionalEncoding(8)(torch.randn(1, 3, 8), offset=-1), ValueError, r"offset must be >= 0"),
    ("learned-offset-negative", "layers.LearnedPositionalEncoding.forward",
     lambda: layers.LearnedPositionalEncoding(8, 4)(torch.randn(1, 3, 8), offset=-2), ValueError, r"offset must be >= 0"),
]
