"""Checkers for the exercises at the end of each chapter, one module per chapter (ch03, ch04, ...).

A checker takes the learner's answer and returns a `Result` that prints a plain-words verdict.
An answer still set to None is "not attempted", never an error, so a chapter runs top to bottom
before the learner has done anything; the solutions notebooks assert `result.passed`.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass

from ..i18n import tr

#: The MIME type under which a Result attaches its verdict to a notebook's output; `bigmodel grade`
#: reads it from the executed notebooks (structured data, never the printed text).
RESULT_MIME = "application/vnd.bigmodel.result+json"
#: The MIME type of `report()`: every verdict reached in this kernel, as a list.
REPORT_MIME = "application/vnd.bigmodel.results+json"

_CHECKED: dict[str, "Result"] = {}   # name -> the last Result made under it in this process


@dataclass
class Result:
    """Outcome of one exercise check: `passed`, and a message that says what is right or wrong."""
    name: str
    passed: bool
    message: str
    attempted: bool = True

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str such as '03.1 ...', got {type(self.name).__name__}")
        if not isinstance(self.passed, bool):
            if type(self.passed).__name__ == "bool_" or (getattr(self.passed, "dtype", None) is not None
                                                         and getattr(self.passed, "numel", lambda: 0)() == 1
                                                         and str(self.passed.dtype) == "torch.bool"):
                self.passed = bool(self.passed)          # numpy / torch booleans from a comparison
            else:
                raise TypeError(f"passed must be a bool, got {type(self.passed).__name__}")
        if not isinstance(self.message, str):
            raise TypeError(f"message must be a str, got {type(self.message).__name__}")
        _CHECKED[self.name] = self      # remembered for report(), even when the cell does not show it

    @property
    def status(self) -> str:
        """"passed", "failed" or "not attempted": the three verdicts of the gradebook."""
        return "passed" if self.passed else ("failed" if self.attempted else "not attempted")

    @property
    def mark(self) -> str:
        return "✔" if self.passed else ("✘" if self.attempted else "…")

    def to_json(self) -> dict:
        """The verdict as plain data: what `bigmodel grade` reads from an executed notebook."""
        return {"name": self.name, "status": self.status, "passed": bool(self.passed),
                "attempted": bool(self.attempted), "message": self.message}

    @property
    def title(self) -> str:
        """The exercise's name as the learner reads it (translated); `name` stays the gradebook's key."""
        return tr(self.name)

    def __repr__(self) -> str:
        return f"{self.mark} {self.title}{tr(': ')}{self.message}"

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.passed else ("#cf222e" if self.attempted else "#6e7781")
        return (f"<div style='color:{color}'><b>{self.mark} {html.escape(self.title)}</b>{html.escape(tr(': '))}"
                f"{html.escape(self.message)}</div>")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text, HTML, and the verdict as JSON under RESULT_MIME (front ends show the HTML or text;
        the JSON travels in the saved notebook for the gradebook)."""
        return {"text/plain": repr(self), "text/html": self._repr_html_(),
                RESULT_MIME: json.loads(json.dumps(self.to_json()))}


class _Report(list):
    """The verdicts reached in this kernel (see `report`), shown as lines of text, carried as JSON."""

    def __repr__(self) -> str:
        return "\n".join(repr(r) for r in self) or tr("no exercise checked yet")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/plain": repr(self), REPORT_MIME: [r.to_json() for r in self]}


def report() -> _Report:
    """Every exercise checked in this kernel so far (the last verdict per name, sorted by name). The
    gradebook runs this after a learner's notebook, so a check assigned to a variable and not shown
    (`result = ch03.exercise_1(...)`) still counts."""
    return _Report(_CHECKED[name] for name in sorted(_CHECKED))


def not_attempted(name: str) -> Result:
    """The Result of an answer still set to None."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as '03.1 ...', got {type(name).__name__}")
    return Result(name, False, tr("not attempted yet: replace the None with your answer and run the cell again."),
                  attempted=False)


def verdict(name: str, ok: bool, good: str, bad: str) -> Result:
    """A Result with the message for success or for failure."""
    for arg, value in (("good", good), ("bad", bad)):
        if not isinstance(value, str):
            raise TypeError(f"{arg} must be a str (the message shown), got {type(value).__name__}")
    return Result(name, bool(ok), good if ok else bad)


def run_check(name: str, answer, check) -> Result:
    """Call `check(answer) -> Result`, turning None into "not attempted" and an exception in the
    learner's code into a failed Result that quotes it (the notebook keeps running)."""
    if not callable(check):
        raise TypeError(f"check must be callable (answer -> Result), got {type(check).__name__}")
    if answer is None:
        return not_attempted(name)
    try:
        return check(answer)
    except Exception as e:  # the learner's function raised: say so instead of crashing the chapter
        return Result(name, False, tr("your answer raised {error}: {message}", error=type(e).__name__, message=e))
