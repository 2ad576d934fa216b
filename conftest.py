"""Repository-wide pytest hooks: the test run (library tests, every notebook) must leave no stray files.

The git status is read when the session starts and again when it ends; any file that appeared or changed
in between fails the run, naming the file (notebooks must write only into temporary folders)."""
from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _git_status() -> set[str] | None:
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return set(out.stdout.splitlines()) if out.returncode == 0 else None


def pytest_sessionstart(session):
    session.config._git_status_before = _git_status()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_git_status_before", None)
    after = _git_status()
    if before is None or after is None:
        return
    stray = sorted(after - before)
    if stray:
        session.config._stray_files = stray
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stray = getattr(config, "_stray_files", None)
    if stray:
        terminalreporter.section("stray files", sep="=", red=True)
        terminalreporter.write_line("The test run changed the repository (tests and notebooks must write only "
                                    "into temporary folders):")
        for line in stray:
            terminalreporter.write_line(f"  {line}")
