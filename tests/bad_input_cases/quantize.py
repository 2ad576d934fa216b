"""Bad-input cases for bigmodel_lib.quantize (format: tests/bad_input_cases/__init__.py)."""

import torch

from bigmodel_lib import quantize

CASES = [
    ("q-absmax-type", "quantize.absmax_quantize", lambda: quantize.absmax_quantize([1.0]), TypeError, r"w must be a torch.Tensor"),
    ("q-absmax-int", "quantize.absmax_quantize", lambda: quantize.absmax_quantize(torch.ones(3, 3, dtype=torch.long)), TypeError,
     r"w must be a floating-point"),
    ("q-absmax-dim", "quantize.absmax_quantize", lambda: quantize.absmax_quantize(torch.randn(3, 3), per_channel=True, dim=5), ValueError,
     r"dim must be in \[-2, 2\)"),
    ("q-absmax-empty", "quantize.absmax_quantize", lambda: quantize.absmax_quantize(torch.randn(0, 3)), ValueError, r"w must not be empty"),
    ("q-dequantize-dtype", "quantize.dequantize", lambda: quantize.dequantize(torch.randn(3, 3), torch.ones(1)), TypeError, r"q must be int8"),
    ("q-error-type", "quantize.quantization_error", lambda: quantize.quantization_error("w"), TypeError, r"w must be a torch.Tensor"),
    ("q-int8mm-shape", "quantize.int8_matmul", lambda: quantize.int8_matmul(torch.randn(2, 3), torch.randn(4, 5)), ValueError,
     r"last dim \(3\) must equal w's in-features \(5\)"),
    ("q-int8mm-threshold", "quantize.int8_matmul", lambda: quantize.int8_matmul(torch.randn(2, 3), torch.randn(4, 3), outlier_threshold=-1.0),
     ValueError, r"outlier_threshold must be > 0"),
    ("q-tensor-bytes", "quantize.tensor_bytes", lambda: quantize.tensor_bytes("t"), TypeError, r"t must be a tensor"),
    ("q-linear-bytes", "quantize.linear_weight_bytes", lambda: quantize.linear_weight_bytes("m"), TypeError, r"model must be an nn.Module"),
    ("q-serialized", "quantize.serialized_bytes", lambda: quantize.serialized_bytes(3), TypeError, r"model must be an nn.Module"),
    ("q-model-bytes", "quantize.model_bytes", lambda: quantize.model_bytes(-10, 8), ValueError, r"n_params must be >= 0"),
    ("q-fake-ndim", "quantize.fake_quantize", lambda: quantize.fake_quantize(torch.randn(4)), ValueError, r"w must have 2 dim"),
    ("q-fake-bits", "quantize.fake_quantize", lambda: quantize.fake_quantize(torch.randn(4, 4), bits=1), ValueError, r"bits must be >= 2"),
    ("q-fake-group", "quantize.fake_quantize", lambda: quantize.fake_quantize(torch.randn(4, 6), group_size=4), ValueError,
     r"group_size must divide the row length 6"),
    ("q-fake-int", "quantize.fake_quantize", lambda: quantize.fake_quantize(torch.ones(4, 4, dtype=torch.long)), TypeError,
     r"w must be a floating-point"),
]
