"""Bad-input cases for bigmodel_lib.checks (format: tests/bad_input_cases/__init__.py)."""
import torch

from bigmodel_lib import checks

CASES = [
    ("chk-int-type", "checks.check_int", lambda: checks.check_int("n_layer", 1.5), TypeError,
     r"n_layer must be an int, got float"),
    ("chk-int-bool", "checks.check_int", lambda: checks.check_int("n_layer", True), TypeError, r"n_layer must be an int"),
    ("chk-int-range", "checks.check_int", lambda: checks.check_int("n_layer", 0, minimum=1), ValueError,
     r"n_layer must be >= 1, got 0"),
    ("chk-float-type", "checks.check_float", lambda: checks.check_float("lr", "fast"), TypeError, r"lr must be a number"),
    ("chk-float-nan", "checks.check_float", lambda: checks.check_float("lr", float("nan")), ValueError, r"lr must not be NaN"),
    ("chk-float-excl", "checks.check_float", lambda: checks.check_float("lr", 0.0, minimum=0.0, exclusive_min=True),
     ValueError, r"lr must be > 0"),
    ("chk-tensor-type", "checks.check_tensor", lambda: checks.check_tensor("x", [1.0]), TypeError,
     r"x must be a torch.Tensor"),
    ("chk-tensor-ndim", "checks.check_tensor", lambda: checks.check_tensor("x", torch.ones(3), ndim=2, shape_hint="[B, T]"),
     ValueError, r"x must have 2 dimensions \[B, T\], got shape \(3,\)"),
    ("chk-tensor-float", "checks.check_tensor", lambda: checks.check_tensor("x", torch.ones(3, dtype=torch.long), floating=True),
     TypeError, r"x must be a floating-point tensor"),
    ("chk-tokens-dtype", "checks.check_tokens", lambda: checks.check_tokens("idx", torch.zeros(2, 3), 5), TypeError,
     r"idx must hold integer token ids"),
    ("chk-tokens-range", "checks.check_tokens", lambda: checks.check_tokens("idx", torch.tensor([[0, 5]]), 5), ValueError,
     r"idx ids must be in \[0, 5\)"),
    ("chk-tokens-long", "checks.check_tokens", lambda: checks.check_tokens("idx", torch.zeros(1, 9, dtype=torch.long), 5, 8),
     ValueError, r"more than the model's context of 8"),
]
