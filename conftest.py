"""Repository-wide pytest hooks: the test run (library tests, every notebook) must leave no stray files
and must not use the network, in this process or in any process it starts.

Stray files: the git status is read when the session starts and again when it ends; any file that
appeared or changed in between fails the run, naming the file (notebooks must write only into temporary
folders).

No network: tests/_netguard/bigmodel_netguard.py refuses every connection and name lookup that would leave
this machine (loopback and Unix sockets stay allowed). It is installed here, in the pytest process, and
tests/_netguard is put first on PYTHONPATH so that its sitecustomize.py installs it in every child
process: notebook kernels (nbval, papermill, `bigmodel run`), torchrun workers, JupyterLab, pip. Each
refused attempt is also logged to a file; the session fails if any process logged one, even when the
code that tried swallowed the error.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
NETGUARD_DIR = ROOT / "tests" / "_netguard"


def _install_netguard():
    spec = importlib.util.spec_from_file_location("bigmodel_netguard", NETGUARD_DIR / "bigmodel_netguard.py")
    guard = importlib.util.module_from_spec(spec)
    sys.modules["bigmodel_netguard"] = guard
    spec.loader.exec_module(guard)
    guard.install()
    # children inherit the environment: the guard first on their path, and one log for the whole session
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(NETGUARD_DIR)]
    os.environ["PYTHONPATH"] = os.pathsep.join([str(NETGUARD_DIR), *paths])
    fd, log = tempfile.mkstemp(prefix="bigmodel-netguard-", suffix=".log")
    os.close(fd)
    os.environ[guard.LOG_ENV] = log
    return guard, log


NETGUARD, NETGUARD_LOG = _install_netguard()

# The Chinese solutions are the English solutions' code with lang = "zh" (tests/test_i18n.py proves the code is
# the same): nbval runs every English notebook and every Chinese chapter, and tests/test_i18n.py executes three
# Chinese solutions notebooks and checks their verdicts are Chinese; running all fourteen again would add about
# three minutes to a test run that must stay well under thirty on two cores.
collect_ignore_glob = ["notebooks/zh/solutions/*.ipynb"]


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
    try:
        attempts = Path(NETGUARD_LOG).read_text(encoding="utf-8").splitlines()
        os.unlink(NETGUARD_LOG)
    except OSError:
        attempts = []
    if attempts:
        session.config._network_attempts = attempts
        session.exitstatus = 1
    before = getattr(session.config, "_git_status_before", None)
    after = _git_status()
    if before is None or after is None:
        return
    stray = sorted(after - before)
    if stray:
        session.config._stray_files = stray
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    attempts = getattr(config, "_network_attempts", None)
    if attempts:
        terminalreporter.section("network use", sep="=", red=True)
        terminalreporter.write_line("Processes of the test run tried to reach the network (refused):")
        for line in attempts[:50]:
            terminalreporter.write_line(f"  {line}")
    stray = getattr(config, "_stray_files", None)
    if stray:
        terminalreporter.section("stray files", sep="=", red=True)
        terminalreporter.write_line("The test run changed the repository (tests and notebooks must write only "
                                    "into temporary folders):")
        for line in stray:
            terminalreporter.write_line(f"  {line}")
