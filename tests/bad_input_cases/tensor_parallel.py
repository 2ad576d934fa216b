"""Bad-input cases for bigmodel_lib.tensor_parallel (format: tests/bad_input_cases/__init__.py)."""
import torch

from bigmodel_lib import tensor_parallel as tp
from bigmodel_lib.attention import MultiHeadAttention
from bigmodel_lib.layers import FeedForward

lin = torch.nn.Linear(6, 8)

CASES = [
    ("tp-copy-int", "tensor_parallel.copy_to_parallel", lambda: tp.copy_to_parallel(torch.ones(2, dtype=torch.long)), TypeError, r"x must be a floating-point"),
    ("tp-reduce-type", "tensor_parallel.reduce_from_parallel", lambda: tp.reduce_from_parallel([1.0]), TypeError, r"x must be a torch.Tensor"),
    ("tp-col-type", "tensor_parallel.ColumnParallelLinear", lambda: tp.ColumnParallelLinear(torch.nn.Conv1d(2, 2, 1), 0, 2), TypeError, r"full must be an nn.Linear"),
    ("tp-col-split", "tensor_parallel.ColumnParallelLinear", lambda: tp.ColumnParallelLinear(lin, 0, 3), ValueError, r"out_features \(8\) must be divisible"),
    ("tp-col-rank", "tensor_parallel.ColumnParallelLinear", lambda: tp.ColumnParallelLinear(lin, 2, 2), ValueError, r"rank must be <= 1"),
    ("tp-col-forward", "tensor_parallel.ColumnParallelLinear.forward", lambda: tp.ColumnParallelLinear(lin, 0, 2)(torch.randn(3, 8)), ValueError, r"x must have last dimension 6"),
    ("tp-row-split", "tensor_parallel.RowParallelLinear", lambda: tp.RowParallelLinear(torch.nn.Linear(5, 4), 0, 2), ValueError, r"in_features \(5\) must be divisible"),
    ("tp-row-forward", "tensor_parallel.RowParallelLinear.forward", lambda: tp.RowParallelLinear(lin, 0, 2)(torch.randn(3, 6)), ValueError, r"x_local must have last dimension 3"),
    ("tp-mlp-type", "tensor_parallel.TensorParallelMLP", lambda: tp.TensorParallelMLP(lin, 0, 2), TypeError, r"ff must be a bigmodel_lib.layers.FeedForward"),
    ("tp-mlp-forward", "tensor_parallel.TensorParallelMLP.forward", lambda: tp.TensorParallelMLP(FeedForward(4, 8), 0, 2)(torch.randn(2, 5)), ValueError, r"x must have last dimension 4"),
    ("tp-attn-heads", "tensor_parallel.TensorParallelAttention", lambda: tp.TensorParallelAttention(MultiHeadAttention(6, 3), 0, 2), ValueError, r"n_heads \(3\) must be divisible"),
    ("tp-attn-forward", "tensor_parallel.TensorParallelAttention.forward", lambda: tp.TensorParallelAttention(MultiHeadAttention(8, 2), 0, 2)(torch.randn(2, 8)), ValueError, r"x must have 3 dimensions"),
    ("tp-check-heads", "tensor_parallel.check_against_one_process", lambda: tp.check_against_one_process(d_model=30, n_heads=4), ValueError, r"d_model \(30\) must be divisible by n_heads"),
    ("tp-main-argv", "tensor_parallel.main", lambda: tp.main("--out x.json"), TypeError, r"argv must be a list of str"),
]
