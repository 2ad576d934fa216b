"""Bad-input cases for bigmodel_lib.grade (format: tests/bad_input_cases/__init__.py)."""
from pathlib import Path

from bigmodel_lib import grade

from . import exit_message, scratch_dir

CASES = [
    ("grade-names-type", "grade.exercise_names", lambda: grade.exercise_names(3), TypeError,
     r"chapter must be a chapter name"),
    ("grade-verdicts-type", "grade.read_verdicts", lambda: grade.read_verdicts("nb.ipynb"), TypeError,
     r"nb must be a notebook"),
    ("grade-missing-folder", "grade.grade", lambda: grade.grade(Path("/nonexistent/subs"), Path(scratch_dir())),
     ValueError, r"SUBMISSIONS must be a folder of learner folders"),
    ("grade-limits-type", "grade.grade", lambda: grade.grade(Path(scratch_dir()), Path(scratch_dir()) / "o", limits=60),
     TypeError, r"limits must be a sandbox.Limits"),
    ("grade-main-timeout", "grade.main",
     lambda: exit_message(grade.main, [scratch_dir(), "-o", scratch_dir() + "/o", "--timeout", "0"]), ValueError,
     r"Limits.seconds must be a positive number"),
    ("grade-main-no-output", "grade.main", lambda: exit_message(grade.main, [scratch_dir()]), ValueError,
     r"-o/--output"),
]
