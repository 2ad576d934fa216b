"""Bad-input cases for bigmodel_lib.norms (format: tests/bad_input_cases/__init__.py)."""
import torch

from bigmodel_lib.norms import RMSNorm

CASES = [
    ("rmsnorm-dim-zero", "norms.RMSNorm", lambda: RMSNorm(0), ValueError, r"dim must be >= 1"),
    ("rmsnorm-dim-type", "norms.RMSNorm", lambda: RMSNorm(8.0), TypeError, r"dim must be an int"),
    ("rmsnorm-eps", "norms.RMSNorm", lambda: RMSNorm(8, eps=0.0), ValueError, r"eps must be > 0"),
    ("rmsnorm-last-dim", "norms.RMSNorm.forward", lambda: RMSNorm(8)(torch.randn(2, 6)), ValueError,
     r"x must have last dimension 8"),
    ("rmsnorm-int", "norms.RMSNorm.forward", lambda: RMSNorm(8)(torch.ones(2, 8, dtype=torch.long)), TypeError,
     r"x must be a floating-point"),
]
