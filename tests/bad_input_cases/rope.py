"""Bad-input cases for bigmodel_lib.rope (format: tests/bad_input_cases/__init__.py)."""
import torch

from bigmodel_lib.rope import RotaryEmbedding, apply_rotary, llama3_inv_freq, rotate_half

cs = RotaryEmbedding(8, max_len=16)(4)

CASES = [
    ("rope-dim-odd", "rope.RotaryEmbedding", lambda: RotaryEmbedding(7), ValueError, r"head_dim must be even"),
    ("rope-dim-type", "rope.RotaryEmbedding", lambda: RotaryEmbedding("8"), TypeError, r"head_dim must be an int"),
    ("rope-max-len", "rope.RotaryEmbedding", lambda: RotaryEmbedding(8, max_len=0), ValueError, r"max_len must be >= 1"),
    ("rope-base", "rope.RotaryEmbedding", lambda: RotaryEmbedding(8, base=1.0), ValueError, r"base must be > 1"),
    ("rope-too-long", "rope.RotaryEmbedding.forward", lambda: RotaryEmbedding(8, max_len=16)(10, offset=8), ValueError,
     r"positions up to 18 exceed max_len=16"),
    ("rope-seq-zero", "rope.RotaryEmbedding.forward", lambda: RotaryEmbedding(8)(0), ValueError,
     r"seq_len must be >= 1"),
    ("rope-offset-neg", "rope.RotaryEmbedding.forward", lambda: RotaryEmbedding(8)(2, offset=-1), ValueError,
     r"offset must be >= 0"),
    ("rope-scaling-type", "rope.RotaryEmbedding", lambda: RotaryEmbedding(8, scaling={"rope_type": "yarn"}), ValueError,
     r"scaling must be None or a dict with rope_type 'llama3'"),
    ("rope-scaling-keys", "rope.RotaryEmbedding", lambda: RotaryEmbedding(8, scaling={"rope_type": "llama3"}),
     ValueError, r"scaling \(llama3\) is missing \['factor'"),
    ("rope-llama3-order", "rope.llama3_inv_freq", lambda: llama3_inv_freq(torch.ones(4), 8.0, 4.0, 1.0, 8192),
     ValueError, r"high_freq_factor \(1.0\) must be > low_freq_factor \(4.0\)"),
    ("rope-llama3-factor", "rope.llama3_inv_freq", lambda: llama3_inv_freq(torch.ones(4), 0.0, 1.0, 4.0, 8192),
     ValueError, r"factor must be > 0"),
    ("rope-apply-shape", "rope.apply_rotary", lambda: apply_rotary(torch.randn(2, 5, 8), *cs), ValueError,
     r"cos must have shape \[time, head_dim\] = \(5, 8\)"),
    ("rope-apply-type", "rope.apply_rotary", lambda: apply_rotary([1.0], *cs), TypeError, r"x must be a torch.Tensor"),
    ("rope-rotate-type", "rope.rotate_half", lambda: rotate_half([1.0, 2.0]), TypeError, r"x must be a torch.Tensor"),
    ("rope-rotate-odd", "rope.rotate_half", lambda: rotate_half(torch.randn(3, 5)), ValueError,
     r"x must have an even last dimension"),
]
