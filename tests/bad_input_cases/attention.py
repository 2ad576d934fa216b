"""Bad-input cases for bigmodel_lib.attention (format: tests/bad_input_cases/__init__.py)."""

import torch

from bigmodel_lib import attention

q4 = torch.randn(2, 2, 3, 4)

CASES = [
    ("attend-past", "attention.attend", lambda: attention.attend(q4, q4, q4, past=-1), ValueError, r"past must be >= 0"),
    ("attend-mask-dtype", "attention.attend", lambda: attention.attend(q4, q4, q4, mask=torch.ones(3, 3)), TypeError,
     r"mask must be a bool tensor"),
    ("attend-causal-mask-dtype", "attention.attend",
     lambda: attention.attend(q4, q4, q4, mask=torch.ones(3, 3), is_causal=True), TypeError, r"mask must be a bool tensor"),
    ("sdpa-rank", "attention.scaled_dot_product_attention", lambda: attention.scaled_dot_product_attention(torch.randn(4), torch.randn(4), torch.randn(4)),
     ValueError, r"q must have at least 2 dimensions"),
    ("sdpa-dk", "attention.scaled_dot_product_attention", lambda: attention.scaled_dot_product_attention(torch.randn(3, 4), torch.randn(5, 6), torch.randn(5, 6)),
     ValueError, r"q and k must share their last dimension"),
    ("sdpa-kv-len", "attention.scaled_dot_product_attention", lambda: attention.scaled_dot_product_attention(torch.randn(3, 4), torch.randn(5, 4), torch.randn(6, 4)),
     ValueError, r"k and v must have the same number of keys"),
    ("sdpa-dtype", "attention.scaled_dot_product_attention", lambda: attention.scaled_dot_product_attention(torch.ones(3, 4, dtype=torch.long), torch.randn(3, 4),
     torch.randn(3, 4)), TypeError, r"q must be a floating-point"),
    ("sdpa-empty", "attention.scaled_dot_product_attention", lambda: attention.scaled_dot_product_attention(torch.randn(0, 4), torch.randn(3, 4), torch.randn(3, 4)),
     ValueError, r"at least one position"),
    ("sdpa-mask-dtype", "attention.scaled_dot_product_attention", lambda: attention.scaled_dot_product_attention(q4, q4, q4, mask=torch.ones(3, 3)),
     TypeError, r"mask must be a bool tensor"),
    ("sdpa-mask-shape", "attention.scaled_dot_product_attention", lambda: attention.scaled_dot_product_attention(q4, q4, q4, mask=torch.ones(4, 4, dtype=torch.bool)),
     ValueError, r"mask of shape \(4, 4\) does not broadcast"),
    ("sdpa-dropout", "attention.scaled_dot_product_attention", lambda: attention.scaled_dot_product_attention(q4, q4, q4, dropout_p=1.5), ValueError, r"dropout_p"),
    ("sdpa-type", "attention.scaled_dot_product_attention", lambda: attention.scaled_dot_product_attention([1.0], q4, q4), TypeError, r"q must be a torch.Tensor"),
    ("causal-zero", "attention.causal_mask", lambda: attention.causal_mask(0), ValueError, r"size must be >= 1"),
    ("causal-type", "attention.causal_mask", lambda: attention.causal_mask(2.5), TypeError, r"size must be an int"),
    ("padding-dtype", "attention.padding_mask", lambda: attention.padding_mask(torch.randn(2, 3)), TypeError, r"tokens must have dtype"),
    ("padding-rank", "attention.padding_mask", lambda: attention.padding_mask(torch.ones(3, dtype=torch.long)), ValueError, r"tokens must have 2 dimensions"),
    ("mha-divisible", "attention.MultiHeadAttention", lambda: attention.MultiHeadAttention(10, 3), ValueError, r"d_model \(10\) must be divisible by n_heads \(3\)"),
    ("mha-zero", "attention.MultiHeadAttention", lambda: attention.MultiHeadAttention(0, 1), ValueError, r"d_model must be >= 1"),
    ("mha-dropout", "attention.MultiHeadAttention", lambda: attention.MultiHeadAttention(8, 2, dropout=1.0), ValueError, r"dropout must be in"),
    ("mha-rank", "attention.MultiHeadAttention.forward", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(8)), ValueError, r"x must have 3 dimensions"),
    ("mha-last-dim", "attention.MultiHeadAttention.forward", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(2, 3, 6)), ValueError,
     r"x must have last dimension 8"),
    ("mha-memory-batch", "attention.MultiHeadAttention.forward", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(2, 3, 8), torch.randn(3, 3, 8)),
     ValueError, r"memory batch \(3\) must equal x batch \(2\)"),
    ("mha-memory-dim", "attention.MultiHeadAttention.forward", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(2, 3, 8), torch.randn(2, 3, 4)),
     ValueError, r"memory must have last dimension 8"),
    ("mha-causal-cross", "attention.MultiHeadAttention.forward", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(2, 3, 8), torch.randn(2, 3, 8), is_causal=True),
     ValueError, r"is_causal and cache are for self-attention"),
    ("mha-mask-shape", "attention.MultiHeadAttention.forward", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(2, 3, 8), mask=torch.ones(5, 5, dtype=torch.bool)),
     ValueError, r"mask of shape"),
    ("mha-int-input", "attention.MultiHeadAttention.forward", lambda: attention.MultiHeadAttention(8, 2)(torch.ones(2, 3, 8, dtype=torch.long)), TypeError,
     r"x must be a floating-point"),
]
