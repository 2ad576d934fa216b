"""Bad-input cases for bigmodel_lib.pipeline (format: tests/bad_input_cases/__init__.py)."""
import argparse

import torch

from bigmodel_lib import pipeline

from . import gpt


def stages():
    g = gpt(n_layer=2)
    return pipeline.Stage(g, 0, 2), pipeline.Stage(g, 1, 2)


CASES = [
    ("pp-bubble-stages", "pipeline.bubble_fraction", lambda: pipeline.bubble_fraction(0, 4), ValueError, r"n_stages must be >= 1"),
    ("pp-bubble-micro", "pipeline.bubble_fraction", lambda: pipeline.bubble_fraction(2, 1.5), TypeError, r"n_micro must be an int"),
    ("pp-stage-model", "pipeline.Stage", lambda: pipeline.Stage(torch.nn.Linear(2, 2), 0, 2), TypeError, r"gpt must be a bigmodel_lib.models.GPT"),
    ("pp-stage-too-many", "pipeline.Stage", lambda: pipeline.Stage(gpt(n_layer=2), 0, 3), ValueError, r"n_stages must be <= 2"),
    ("pp-stage-index", "pipeline.Stage", lambda: pipeline.Stage(gpt(n_layer=2), 2, 2), ValueError, r"stage must be <= 1"),
    ("pp-forward-first", "pipeline.Stage.forward", lambda: stages()[0](torch.randn(2, 4, 8)), ValueError, r"x must have 2 dimensions"),
    ("pp-forward-later", "pipeline.Stage.forward", lambda: stages()[1](torch.ones(2, 4, dtype=torch.long)), ValueError, r"x must have 3 dimensions"),
    ("pp-step-split", "pipeline.gpipe_step", lambda: pipeline.gpipe_step(stages()[0], torch.ones(5, 4, dtype=torch.long), torch.ones(5, 4, dtype=torch.long), 2, 0, 2), ValueError, r"must split into n_micro=2"),
    ("pp-step-stage", "pipeline.gpipe_step", lambda: pipeline.gpipe_step(gpt(), torch.ones(4, 4, dtype=torch.long), torch.ones(4, 4, dtype=torch.long), 2, 0, 2), TypeError, r"stage must be a bigmodel_lib.pipeline.Stage"),
    ("pp-run-args", "pipeline.run", lambda: pipeline.run({"micro": [1]}), TypeError, r"args must be the argparse.Namespace"),
    ("pp-run-group", "pipeline.run", lambda: pipeline.run(argparse.Namespace()), ValueError, r"needs a process group"),
    ("pp-main-argv", "pipeline.main", lambda: pipeline.main(("--out", "x")), TypeError, r"argv must be a list of str"),
]
