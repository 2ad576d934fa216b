"""Bad-input cases for bigmodel_lib.exercises and its checkers (format: tests/bad_input_cases/__init__.py).

A checker's input is the learner's answer, so a wrong answer is not an error: every `exercise_*` of
every chapter module must answer an answer of the wrong kind with a failed Result that says something
(never an exception that stops the chapter, never a pass). Those cases are made for each checker
found that takes the answer alone (one that needs more arguments needs hand-written cases); the
shared helpers and `grade` get hand-written cases that raise.
"""
import importlib
import inspect
import pkgutil

import bigmodel_lib.exercises as ex
from bigmodel_lib.exercises import Result, run_check, verdict

from . import FAILED_RESULT


class NotAnAnswer:
    """An answer of no type any checker expects: not a number, function, string, list or tensor."""
    def __repr__(self):
        return "NotAnAnswer()"


def _one_required_argument(fn) -> bool:
    """Checkers called with the answer alone; one that needs more (a model, data) gets hand-written cases."""
    required = [p for p in inspect.signature(fn).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(required) == 1


def _checker_cases():
    cases = []
    for info in pkgutil.iter_modules(ex.__path__):
        if not info.name.startswith("ch"):
            continue
        mod = importlib.import_module(f"bigmodel_lib.exercises.{info.name}")
        for name, fn in sorted(vars(mod).items()):
            if (name.startswith("exercise_") and callable(fn) and fn.__module__ == mod.__name__
                    and _one_required_argument(fn)):
                cases.append((f"ex-{info.name}-{name}-wrong-kind", f"exercises.{info.name}.{name}",
                              lambda fn=fn: fn(NotAnAnswer()), FAILED_RESULT, r"\w"))
    return cases


CASES = _checker_cases() + [
    ("ex-result-passed", "exercises.Result", lambda: Result("03.1", "yes", "fine"), TypeError, r"passed must be a bool"),
    ("ex-not-attempted-name", "exercises.not_attempted", lambda: ex.not_attempted(3), TypeError, r"name must be a str"),
    ("ex-verdict-message", "exercises.verdict", lambda: verdict("03.1", True, None, "wrong"), TypeError,
     r"good must be a str"),
    ("ex-run-check-callable", "exercises.run_check", lambda: run_check("03.1", 1.0, "not a checker"), TypeError,
     r"check must be callable"),
    ("ex-grade-type", "exercises.ch13.grade", lambda: importlib.import_module("bigmodel_lib.exercises.ch13").grade("abc"),
     TypeError, r"answers must be a list of option indices"),
    ("ex-grade-length", "exercises.ch13.grade", lambda: importlib.import_module("bigmodel_lib.exercises.ch13").grade([0]),
     ValueError, r"answers must have \d+ entries"),
]
