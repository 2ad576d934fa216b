"""Bad-input cases for bigmodel_lib.bench (format: tests/bad_input_cases/__init__.py)."""
import torch
from torch import nn

from bigmodel_lib import bench

from . import exit_message

CPU = torch.device("cpu")

CASES = [
    ("bench-gpu-name", "bench.known_gpu_peak", lambda: bench.known_gpu_peak(3), TypeError, r"name must be a str"),
    ("bench-interleave-rounds", "bench.interleave", lambda: bench.interleave({"a": lambda: None}, CPU, 0), ValueError,
     r"rounds must be >= 1"),
    ("bench-interleave-sides", "bench.interleave", lambda: bench.interleave({}, CPU, 2), ValueError,
     r"sides must"),
    ("bench-attention-shape", "bench.bench_attention", lambda: bench.bench_attention(CPU, (1, 2), 1, None, 0.01),
     ValueError, r"shape must be"),
    ("bench-layer-shape", "bench.bench_layer", lambda: bench.bench_layer(CPU, (2, 16, 30, 4), 1, None, 0.01), ValueError,
     r"d_model \(30\) must be divisible by n_heads \(4\)"),
    ("bench-step-model", "bench.train_step_fn", lambda: bench.train_step_fn("model", None, None, None, CPU), TypeError,
     r"model must be an nn.Module"),
    ("bench-step-opt", "bench.train_step_fn", lambda: bench.train_step_fn(nn.Linear(2, 2), "adam", None, None, CPU),
     TypeError, r"opt must be a torch.optim.Optimizer"),
    ("bench-training-shapes", "bench.bench_training", lambda: bench.bench_training(CPU, [(1, 2, 8, 8, 2, 20)], 1, {}, 0.01),
     TypeError, r"shapes must be a dict"),
    ("bench-generation-tokens", "bench.bench_generation",
     lambda: bench.bench_generation(CPU, (1, 2, 8, 8, 2, 20), (0,), 1, None), ValueError, r"new_tokens"),
    ("bench-course-dir", "bench.bench_course", lambda: bench.bench_course("cpu", "/nonexistent-notebooks"), ValueError,
     r"no chapter notebooks"),
    ("bench-report-type", "bench.print_report", lambda: bench.print_report("results"), TypeError, r"res must be a dict"),
    ("bench-main-device", "bench.main", lambda: exit_message(bench.main, ["--device", "tpu"]), ValueError,
     r"device must be one of"),
    ("bench-main-rounds", "bench.main", lambda: exit_message(bench.main, ["--rounds", "0"]), ValueError,
     r"--rounds must be >= 1"),
]
