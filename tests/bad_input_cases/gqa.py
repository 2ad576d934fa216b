"""Bad-input cases for bigmodel_lib.gqa (format: tests/bad_input_cases/__init__.py)."""
import torch

from bigmodel_lib.gqa import GroupedQueryAttention, kv_cache_bytes, repeat_kv
from bigmodel_lib.rope import RotaryEmbedding

CASES = [
    ("gqa-groups", "gqa.GroupedQueryAttention", lambda: GroupedQueryAttention(32, 4, 3), ValueError,
     r"n_heads \(4\) must be divisible by n_kv_heads \(3\)"),
    ("gqa-kv-more", "gqa.GroupedQueryAttention", lambda: GroupedQueryAttention(32, 4, 8), ValueError,
     r"n_kv_heads must be <= 4"),
    ("gqa-d-model", "gqa.GroupedQueryAttention", lambda: GroupedQueryAttention(30, 4, 2), ValueError,
     r"d_model \(30\) must be divisible by n_heads \(4\)"),
    ("gqa-rope-dim", "gqa.GroupedQueryAttention", lambda: GroupedQueryAttention(32, 4, 2, rope=RotaryEmbedding(4)),
     ValueError, r"rope.head_dim \(4\) must equal the attention head_dim \(8\)"),
    ("gqa-rope-type", "gqa.GroupedQueryAttention", lambda: GroupedQueryAttention(32, 4, 2, rope=True), TypeError,
     r"rope must be a RotaryEmbedding"),
    ("gqa-bias-type", "gqa.GroupedQueryAttention", lambda: GroupedQueryAttention(32, 4, 2, bias=1), TypeError,
     r"bias must be a bool"),
    ("gqa-x-dim", "gqa.GroupedQueryAttention.forward", lambda: GroupedQueryAttention(32, 4, 2)(torch.randn(2, 3, 16)),
     ValueError, r"x must have last dimension 32"),
    ("gqa-cache-type", "gqa.GroupedQueryAttention.forward",
     lambda: GroupedQueryAttention(32, 4, 2)(torch.randn(2, 3, 32), cache=[]), TypeError, r"cache must be a dict"),
    ("gqa-mask-type", "gqa.GroupedQueryAttention.forward",
     lambda: GroupedQueryAttention(32, 4, 2)(torch.randn(2, 3, 32), mask=torch.ones(3, 3)), TypeError,
     r"mask must be a bool tensor"),
    ("gqa-repeat-rank", "gqa.repeat_kv", lambda: repeat_kv(torch.randn(2, 3, 4), 2), ValueError,
     r"x must have 4 dimensions"),
    ("gqa-repeat-n", "gqa.repeat_kv", lambda: repeat_kv(torch.randn(1, 2, 3, 4), 0), ValueError, r"n_rep must be >= 1"),
    ("kvbytes-zero", "gqa.kv_cache_bytes", lambda: kv_cache_bytes(0, 8, 128, 10), ValueError, r"n_layers must be >= 1"),
    ("kvbytes-dtype", "gqa.kv_cache_bytes", lambda: kv_cache_bytes(2, 8, 128, 10, dtype="bf16"), TypeError,
     r"dtype must be a torch.dtype"),
    ("kvbytes-float", "gqa.kv_cache_bytes", lambda: kv_cache_bytes(2, 8, 128, 1.5e3), TypeError,
     r"seq_len must be an int"),
]
