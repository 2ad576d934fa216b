"""Checkers for the exercises at the end of each chapter, one module per chapter (ch03, ch04, ...).

A checker takes the learner's answer and returns a `Result` that prints a plain-words verdict.
An answer still set to None is "not attempted", never an error, so a chapter runs top to bottom
before the learner has done anything; the solutions notebooks assert `result.passed`.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Result:
    """Outcome of one exercise check: `passed`, and a message that says what is right or wrong."""
    name: str
    passed: bool
    message: str
    attempted: bool = True

    def __repr__(self) -> str:
        mark = "✔" if self.passed else ("…" if not self.attempted else "✘")
        return f"{mark} {self.name}: {self.message}"

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.passed else ("#6e7781" if not self.attempted else "#cf222e")
        return f"<div style='color:{color}'><b>{'✔' if self.passed else ('…' if not self.attempted else '✘')} " \
               f"{self.name}</b>: {self.message}</div>"


def not_attempted(name: str) -> Result:
    return Result(name, False, "not attempted yet: replace the None with your answer and run the cell again.",
                  attempted=False)


def verdict(name: str, ok: bool, good: str, bad: str) -> Result:
    """A Result with the message for success or for failure."""
    return Result(name, bool(ok), good if ok else bad)


def run_check(name: str, answer, check) -> Result:
    """Call `check(answer) -> Result`, turning None into "not attempted" and an exception in the
    learner's code into a failed Result that quotes it (the notebook keeps running)."""
    if answer is None:
        return not_attempted(name)
    try:
        return check(answer)
    except Exception as e:  # the learner's function raised: say so instead of crashing the chapter
        return Result(name, False, f"your answer raised {type(e).__name__}: {e}")
