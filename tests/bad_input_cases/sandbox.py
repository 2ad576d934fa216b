"""Bad-input cases for bigmodel_lib.sandbox (format: tests/bad_input_cases/__init__.py)."""
from pathlib import Path

from bigmodel_lib import sandbox

from . import scratch_dir

CASES = [
    ("sandbox-limits-seconds", "sandbox.Limits", lambda: sandbox.Limits(seconds=-1), ValueError,
     r"Limits.seconds must be a positive number"),
    ("sandbox-limits-memory", "sandbox.Limits", lambda: sandbox.Limits(memory_mb="4G"), ValueError,
     r"Limits.memory_mb must be a positive number"),
    ("sandbox-result-seconds", "sandbox.RunResult", lambda: sandbox.RunResult(0, -1.0, False, False, ""), ValueError,
     r"RunResult.seconds must be a number >= 0"),
    ("sandbox-run-argv", "sandbox.run_limited", lambda: sandbox.run_limited("ls -l", Path(scratch_dir()),
                                                                             sandbox.Limits()), TypeError,
     r"argv must be a non-empty list of str"),
    ("sandbox-run-limits", "sandbox.run_limited", lambda: sandbox.run_limited(["true"], Path(scratch_dir()), 60),
     TypeError, r"limits must be a sandbox.Limits"),
    ("sandbox-run-workdir", "sandbox.run_limited", lambda: sandbox.run_limited(["true"], Path("/nonexistent/w"),
                                                                                sandbox.Limits()), ValueError,
     r"workdir must be an existing folder"),
    ("sandbox-bwrap-relative", "sandbox.bwrap_command", lambda: sandbox.bwrap_command(["true"], Path("rel"), []),
     ValueError, r"workdir must be an absolute path"),
    ("sandbox-bwrap-argv", "sandbox.bwrap_command", lambda: sandbox.bwrap_command([], Path("/tmp"), []), TypeError,
     r"argv must be a non-empty list"),
]
