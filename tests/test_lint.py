"""ruff, pinned in requirements.txt, as part of the test command: the library and the tests pass the
configured rules (pyproject.toml [tool.ruff]); the notebooks pass the checks that catch broken code
(syntax errors, undefined names), their style being the learner's view and not held to the library's."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def ruff() -> list[str]:
    script = Path(sys.executable).with_name("ruff")
    if script.exists():
        return [str(script)]
    if shutil.which("ruff"):
        return [shutil.which("ruff")]
    pytest.fail("ruff is not installed: pip install -r requirements.txt (it pins ruff)")


def test_library_and_tests_pass_ruff():
    res = subprocess.run([*ruff(), "check", "--no-cache", "bigmodel_lib", "tests"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-6000:] + res.stderr


def test_notebooks_have_no_syntax_errors_or_undefined_names():
    res = subprocess.run([*ruff(), "check", "--no-cache", "--select", "E9,F63,F7,F82", "notebooks"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-6000:] + res.stderr
