"""Bad-input cases for bigmodel_lib.long_context (format: tests/bad_input_cases/__init__.py)."""
import torch

from bigmodel_lib import long_context

from . import gpt

CASES = [
    ("lc-nopos-rank", "long_context.NoPositions.forward", lambda: long_context.NoPositions()(torch.randn(3, 4)), ValueError, r"x must have 3 dimensions"),
    ("lc-rope-config", "long_context.make_rope_gpt", lambda: long_context.make_rope_gpt({"d_model": 8}), TypeError, r"config must be a GPTConfig"),
    ("lc-pos-length", "long_context.position_losses", lambda: long_context.position_losses(gpt(), torch.arange(10), 10), ValueError, r"length must be <= 9"),
    ("lc-pos-model", "long_context.position_losses", lambda: long_context.position_losses("gpt", torch.arange(10), 4), TypeError, r"model must be an nn.Module"),
    ("lc-pos-tokens", "long_context.position_losses", lambda: long_context.position_losses(gpt(), torch.randn(10), 4), TypeError, r"tokens must have dtype"),
]
