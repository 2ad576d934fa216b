"""Bad-input cases, one file per library module (tests/test_bad_inputs.py collects every file here).

Each file defines `CASES`, a list of tuples

    (case_id, "module.QualName", thunk, ExcType, regex)

- case_id: unique over all files, e.g. "rope-dim-odd";
- "module.QualName": the public callable the case covers, relative to bigmodel_lib: a function
  ("compute.six_nd"), a class's constructor ("rope.RotaryEmbedding"), or a public method
  ("rope.RotaryEmbedding.forward"; a case that calls an nn.Module instance covers its `forward`);
- thunk: a no-argument callable that makes the bad call;
- ExcType: the exception it must raise (ValueError or TypeError, naming the argument), or
  `FAILED_RESULT` for an exercise checker: then the thunk must return a failed, attempted
  `bigmodel_lib.exercises.Result` (a wrong answer gets feedback, never an exception);
- regex: what the message (the exception's text, or the Result's message) must contain (re.search).

The meta-test fails for any public function, class or public method of any bigmodel_lib module that
no case names, unless it takes no arguments besides self/cls (found with inspect.signature) or it is
listed, with a reason, in EXEMPT in tests/test_bad_inputs.py.
"""
from __future__ import annotations

from bigmodel_lib.exercises import Result as FAILED_RESULT  # noqa: F401  (see the docstring)

V = 20   # vocabulary of the tiny models below


def gpt(**kw):
    """A one-layer GPT small enough to build inside a thunk."""
    from bigmodel_lib import models
    cfg = dict(vocab_size=V, block_size=8, n_layer=1, n_head=2, d_model=8)
    cfg.update(kw)
    return models.GPT(models.GPTConfig(**cfg))


def seq2seq():
    from bigmodel_lib import models
    return models.Transformer(V, d_model=8, n_heads=2, n_layers=1, max_len=16)


def clf(n_classes: int = 2):
    from bigmodel_lib import models
    return models.TransformerClassifier(V, n_classes, d_model=8, n_heads=2, n_layers=1, max_len=8)


def exit_message(main, argv: list[str]):
    """Run a command-line entry point (`main(argv) -> int`) with bad arguments. If it refuses them (a
    non-zero exit status, or argparse's SystemExit), raise ValueError carrying the status and everything
    it printed, so a case can check that the message names the bad option; if it accepts them, return."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(out):
        try:
            result = main(argv)
        except SystemExit as e:
            raise ValueError(f"exit status {e.code}: {out.getvalue().strip()}") from None
    if isinstance(result, int) and not isinstance(result, bool) and result != 0:
        raise ValueError(f"exit status {result}: {out.getvalue().strip()}")
    return result


def scratch_dir() -> str:
    """A fresh temporary folder (outside the repository) for a case that needs a path to write to."""
    import tempfile
    return tempfile.mkdtemp(prefix="bigmodel-bad-input-")
