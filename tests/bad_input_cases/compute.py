"""Bad-input cases for bigmodel_lib.compute (format: tests/bad_input_cases/__init__.py)."""

import torch.nn as nn

from bigmodel_lib import compute

from . import gpt

CASES = [
    ("flops-zero", "compute.matmul_flops", lambda: compute.matmul_flops(0, 2, 2), ValueError, r"m must be >= 1"),
    ("flops-model", "compute.gpt_flops_per_token", lambda: compute.gpt_flops_per_token(nn.Linear(2, 2)), TypeError, r"model must be a bigmodel_lib.models.GPT"),
    ("flops-seq", "compute.gpt_flops_per_token", lambda: compute.gpt_flops_per_token(gpt(), seq_len=9), ValueError, r"seq_len must be <= 8"),
    ("time-util", "compute.training_time", lambda: compute.training_time(1e18, 1e12, utilisation=1.5), ValueError, r"utilisation must be <= 1"),
    ("time-devices", "compute.training_time", lambda: compute.training_time(1e18, 1e12, devices=0), ValueError, r"devices must be >= 1"),
    ("powerlaw-shape", "compute.fit_power_law", lambda: compute.fit_power_law([1, 2, 3], [1, 2]), ValueError, r"x and y must be 1-D of equal length"),
    ("powerlaw-positive", "compute.fit_power_law", lambda: compute.fit_power_law([1, 2, -3], [1, 2, 3]), ValueError, r"must be positive"),
    ("chinchilla-budget", "compute.chinchilla_optimal", lambda: compute.chinchilla_optimal(-1.0), ValueError, r"compute must be > 0"),
    ("matmul-size", "compute.measure_matmul", lambda: compute.measure_matmul(0), ValueError, r"size must be >= 1"),
    ("c-utilisation", "compute.utilisation", lambda: compute.utilisation(1e12, -1, 1e12), ValueError, r"seconds must be > 0"),
    ("c-implied", "compute.implied_utilisation", lambda: compute.implied_utilisation(1e20, 0, 1e12), ValueError, r"device_hours must be > 0"),
    ("c-estimate-gpu", "compute.training_estimate", lambda: compute.training_estimate(1e9, 1e10, gpu="Z80"), ValueError, r"gpu must be one of"),
    ("c-activation-batch", "compute.activation_bytes", lambda: compute.activation_bytes(0, 10, 8, 1, 2), ValueError, r"batch must be >= 1"),
    ("c-training-memory", "compute.training_memory", lambda: compute.training_memory(-5, 1, 10, 8, 1, 2), ValueError, r"n_params must be >= 1"),
    ("c-gpt-memory", "compute.gpt_training_memory", lambda: compute.gpt_training_memory(nn.Linear(2, 2), 1), TypeError, r"model must be a bigmodel_lib.models.GPT"),
    ("c-inference-memory", "compute.inference_memory", lambda: compute.inference_memory(1e9, 0, 10, 2, 8), ValueError, r"batch must be >= 1"),
    ("c-checkpointing", "compute.with_checkpointing", lambda: compute.with_checkpointing(nn.Linear(2, 2)), TypeError, r"must have a .blocks"),
    ("c-saved-callable", "compute.saved_activation_bytes", lambda: compute.saved_activation_bytes(3), TypeError, r"fn must be a callable"),
    ("c-time-clock", "compute.time_fn", lambda: compute.time_fn(lambda: None, clock="sundial"), ValueError, r"clock must be 'wall' or 'cpu'"),
    ("c-peak-sizes", "compute.measure_peak", lambda: compute.measure_peak(sizes=(0,)), ValueError, r"size must be >= 1"),
    ("c-chinchilla-loss", "compute.chinchilla_loss", lambda: compute.chinchilla_loss(-1, 10), ValueError, r"n_params must be > 0"),
    ("c-cloud-gpu", "compute.cloud_cost", lambda: compute.cloud_cost(7e9, 1e12, gpu="Z80"), ValueError, r"gpu must be one of"),
    ("c-cloud-price", "compute.cloud_cost", lambda: compute.cloud_cost(7e9, 1e12, price_per_gpu_hour=-1), ValueError, r"price_per_gpu_hour must be >= 0"),
    ("c-cpu-threads", "compute.cpu_threads", lambda: compute.cpu_threads(0).__enter__(), ValueError, r"n must be >= 1"),
    ("c-matmul-params", "compute.matmul_params", lambda: compute.matmul_params("model"), TypeError,
     r"model must be an nn.Module"),
    ("c-training-flops", "compute.training_flops", lambda: compute.training_flops(-1.0, 1e9), ValueError,
     r"flops_per_token must be > 0"),
    ("c-checkpointed-block", "compute.Checkpointed", lambda: compute.Checkpointed("block"), TypeError,
     r"block must be an nn.Module"),
    ("c-checkpointed-x", "compute.Checkpointed.forward", lambda: compute.Checkpointed(nn.Identity())([1.0]), TypeError,
     r"x must be a torch.Tensor"),
    ("c-nbytes-iterable", "compute.nbytes", lambda: compute.nbytes(3), TypeError,
     r"tensors must be an iterable of torch.Tensor"),
    ("c-nbytes-none", "compute.nbytes", lambda: compute.nbytes([None]), TypeError, r"item 0 is NoneType"),
]
