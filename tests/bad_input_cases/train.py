"""Bad-input cases for bigmodel_lib.train (format: tests/bad_input_cases/__init__.py)."""
import math
from pathlib import Path

import torch

from bigmodel_lib import data, train

from . import gpt, scratch_dir


def _scratch_file() -> str:
    return str(Path(scratch_dir()) / "ckpt.pt")


CASES = [
    ("cfg-steps", "train.TrainConfig", lambda: train.TrainConfig(steps=0), ValueError, r"steps must be >= 1"),
    ("cfg-lr", "train.TrainConfig", lambda: train.TrainConfig(lr=-1e-3), ValueError, r"lr must be > 0"),
    ("cfg-lr-type", "train.TrainConfig", lambda: train.TrainConfig(lr="fast"), TypeError, r"lr must be a number"),
    ("cfg-accum", "train.TrainConfig", lambda: train.TrainConfig(accum_steps=0), ValueError, r"accum_steps must be >= 1"),
    ("cfg-clip", "train.TrainConfig", lambda: train.TrainConfig(grad_clip=-1.0), ValueError, r"grad_clip must be >= 0"),
    ("cfg-min-lr", "train.TrainConfig", lambda: train.TrainConfig(lr=1e-3, min_lr=1e-2), ValueError, r"min_lr must be <="),
    ("cfg-nan", "train.TrainConfig", lambda: train.TrainConfig(lr=math.nan), ValueError, r"lr must not be NaN"),
    ("train-model", "train.train", lambda: train.train("model", None), TypeError, r"model must be an nn.Module"),
    ("train-data", "train.train", lambda: train.train(gpt(), [1, 2, 3]), TypeError, r"data must have a get_batch"),
    ("train-cfg", "train.train", lambda: train.train(gpt(), data.Seq2SeqData(n_train=50, n_val=20), {"steps": 3}), TypeError,
     r"cfg must be a TrainConfig"),
    ("train-device", "train.train", lambda: train.train(gpt(), data.Seq2SeqData(n_train=50, n_val=20), train.TrainConfig(device="tpu")),
     ValueError, r"device must be one of"),
    ("lr-at-step", "train.lr_at", lambda: train.lr_at(-1, train.TrainConfig(steps=10)), ValueError, r"step must be >= 0"),
    ("lr-at-cfg", "train.lr_at", lambda: train.lr_at(1, {"lr": 1e-3}), TypeError, r"cfg must be a TrainConfig"),
    ("history-tokens", "train.History", lambda: train.History(tokens=-1), ValueError, r"tokens must be >= 0"),
    ("default-loss-batch", "train.default_loss", lambda: train.default_loss(gpt(), "batch"), TypeError,
     r"batch must be a tuple"),
    ("save-ckpt-state", "train.save_checkpoint", lambda: train.save_checkpoint(_scratch_file(), "state"), TypeError,
     r"state must be a dict"),
    ("load-ckpt-missing", "train.load_checkpoint", lambda: train.load_checkpoint("/nonexistent/ckpt.pt"), FileNotFoundError,
     r"does not exist"),
    ("make-opt-model", "train.make_optimizer", lambda: train.make_optimizer("model", train.TrainConfig()), TypeError,
     r"model must be an nn.Module"),
    ("make-opt-cfg", "train.make_optimizer", lambda: train.make_optimizer(gpt(), {"lr": 1e-3}), TypeError,
     r"cfg must be a TrainConfig"),
    ("evaluate-model", "train.evaluate", lambda: train.evaluate("model", None, train.TrainConfig(), torch.device("cpu")),
     TypeError, r"model must be an nn.Module"),
    ("evaluate-split", "train.evaluate",
     lambda: train.evaluate(gpt(), data.LMData(torch.arange(100) % 20, 8, 2), train.TrainConfig(), torch.device("cpu"),
                            split="test"), ValueError, r"split must be one of"),
]
