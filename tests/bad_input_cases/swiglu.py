"""Bad-input cases for bigmodel_lib.swiglu (format: tests/bad_input_cases/__init__.py)."""
import torch

from bigmodel_lib.swiglu import SwiGLU

CASES = [
    ("swiglu-dff", "swiglu.SwiGLU", lambda: SwiGLU(8, 0), ValueError, r"d_ff must be >= 1"),
    ("swiglu-bias", "swiglu.SwiGLU", lambda: SwiGLU(8, 16, bias="no"), TypeError, r"bias must be a bool"),
    ("swiglu-last-dim", "swiglu.SwiGLU.forward", lambda: SwiGLU(8, 16)(torch.randn(2, 4)), ValueError,
     r"x must have last dimension 8"),
]
