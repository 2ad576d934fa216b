"""Bad-input cases for bigmodel_lib.gpucheck (format: tests/bad_input_cases/__init__.py)."""
from bigmodel_lib import gpucheck

from . import exit_message, gpt, scratch_dir

CASES = [
    ("gc-curves-length", "gpucheck.compare_curves", lambda: gpucheck.compare_curves([1.0] * 12, [1.0] * 11), ValueError,
     r"curves must have the same length >= window=10"),
    ("gc-curves-window", "gpucheck.compare_curves", lambda: gpucheck.compare_curves([1.0] * 12, [1.0] * 12, window=0),
     ValueError, r"window must be >= 1"),
    ("gc-train-device", "gpucheck.training_curves", lambda: gpucheck.training_curves("cpu", "tpu", steps=1), ValueError,
     r"device must be one of"),
    ("gc-kv-device", "gpucheck.kv_cache_mismatches", lambda: gpucheck.kv_cache_mismatches(gpt(), None, None, "tpu"),
     ValueError, r"device must be one of"),
    ("gc-kv-model", "gpucheck.kv_cache_mismatches", lambda: gpucheck.kv_cache_mismatches("model", None, None, "cpu"),
     TypeError, r"model must be a bigmodel_lib.models.GPT"),
    ("gc-main-device", "gpucheck.main", lambda: exit_message(gpucheck.main, ["--device", "cpu", "-o", scratch_dir() + "/r.json"]),
     ValueError, r"--device must be 'cuda' or 'cuda:N'"),
    ("gc-main-skip", "gpucheck.main", lambda: exit_message(gpucheck.main, ["--skip", "typo", "-o", scratch_dir() + "/r.json"]),
     ValueError, r"--skip: unknown check"),
]
