"""Bad-input cases for bigmodel_lib.distributed (format: tests/bad_input_cases/__init__.py)."""
import torch

from bigmodel_lib import distributed

from . import exit_message

CASES = [
    ("d-zero-stage", "distributed.zero_model_state_bytes", lambda: distributed.zero_model_state_bytes(1e9, 8, 4), ValueError, r"stage must be one of"),
    ("d-zero-devices", "distributed.zero_model_state_bytes", lambda: distributed.zero_model_state_bytes(1e9, 0, 1), ValueError, r"n_devices must be an int >= 1"),
    ("d-parse-argv", "distributed.parse_args", lambda: distributed.parse_args("--out x.json"), TypeError, r"argv must be a list of str"),
    ("d-main-argv", "distributed.main", lambda: distributed.main(["--out", 3]), TypeError, r"argv must be a list of str"),
    ("d-init-device", "distributed.init_process_group", lambda: distributed.init_process_group("tpu"), ValueError, r"device must be 'cpu' or 'cuda'"),
    ("d-build-args", "distributed.build", lambda: distributed.build({"steps": 3}), TypeError, r"args must be the argparse.Namespace"),
    ("d-fsdp-model", "distributed.run_fsdp", lambda: distributed.run_fsdp(torch.nn.Linear(2, 2), None, None, None, 0, 2), TypeError, r"model must be a bigmodel_lib.models.GPT"),
    ("d-parse-out", "distributed.parse_args", lambda: exit_message(distributed.parse_args, ["--steps", "3"]),
     ValueError, r"required: --out"),
    ("d-parse-steps", "distributed.parse_args", lambda: exit_message(distributed.parse_args, ["--out", "r.json", "--steps", "0"]),
     ValueError, r"--steps"),
    ("d-main-device", "distributed.main", lambda: exit_message(distributed.main, ["--out", "r.json", "--device", "tpu"]),
     ValueError, r"--device"),
    ("d-launch-module", "distributed.launch", lambda: distributed.launch("rm -rf", [], "x.json"), TypeError, r"module must be a dotted module name"),
    ("d-launch-nproc", "distributed.launch", lambda: distributed.launch("bigmodel_lib.pipeline", [], "x.json", nproc=0), ValueError, r"nproc must be an int >= 1"),
]
