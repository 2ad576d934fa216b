"""Run code someone else wrote (a learner's notebook) in a separate, limited process.

What every run gets, sandbox or not: its own process group, a wall-clock time limit (the whole process
tree is killed when it is over), a memory limit (RLIMIT_DATA: heap and anonymous memory, so a huge
allocation raises MemoryError), a file-size limit, a working directory and $HOME of its own, and a
minimal environment (no teacher's variables, no tokens).

With bubblewrap (`bwrap`, Debian's package `bubblewrap`) and unprivileged user namespaces, the run is also
sandboxed: the whole file system is read-only; the submissions, the gradebook folder and the teacher's
$HOME (where neither the course nor Python lives in it) are replaced by empty read-only folders, so a
learner cannot read the others' work; the only writable places are the run's own folder and a private
/tmp; and the network namespace is empty but for loopback (the kernel still talks to papermill over
127.0.0.1; nothing leaves the machine).
Without bwrap the run still has the limits above, but NOT the file-system and network isolation;
`sandbox_status()` says which, and `bigmodel grade` prints and records it.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# environment variables passed into a run (everything else the teacher's shell holds stays out)
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "OMP_NUM_THREADS", "BIGMODEL_THREADS", "VIRTUAL_ENV")


@dataclass(frozen=True)
class Limits:
    """Per-run limits: wall-clock seconds, memory in MiB (RLIMIT_DATA), largest file in MiB."""
    seconds: float = 600.0
    memory_mb: int = 4096
    file_mb: int = 512

    def __post_init__(self):
        for name in ("seconds", "memory_mb", "file_mb"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"Limits.{name} must be a positive number, got {value!r}")


@dataclass
class RunResult:
    """How a sandboxed run ended: exit code (None when killed at the time limit), seconds, whether
    the time limit killed it, whether the bwrap sandbox was used, and the tail of its output."""
    returncode: int | None
    seconds: float
    timed_out: bool
    sandboxed: bool
    output_tail: str

    def __post_init__(self):
        if isinstance(self.seconds, bool) or not isinstance(self.seconds, (int, float)) or self.seconds < 0:
            raise ValueError(f"RunResult.seconds must be a number >= 0, got {self.seconds!r}")


@lru_cache(maxsize=1)
def sandbox_status() -> tuple[bool, str]:
    """(True, "bubblewrap ...") when a bwrap sandbox with empty network and user namespaces starts here,
    else (False, why not). Checked once per process by starting `true` inside one."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, ("bubblewrap (bwrap) is not installed; install it (Debian/Ubuntu: "
                       "apt-get install bubblewrap) to isolate the file system and the network")
    try:
        probe = subprocess.run([bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                                "--unshare-all", "--die-with-parent", "true"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as err:
        return False, f"bwrap could not start: {err}"
    if probe.returncode != 0:
        return False, (f"bwrap cannot create namespaces here ({probe.stderr.strip()[:200]}); "
                       "unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone)")
    version = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip()
    return True, f"{version}: read-only file system, no network, private /tmp"


def _limit(limits: Limits):
    """preexec_fn: set the memory and file-size limits in the child before it runs anything."""
    data = int(limits.memory_mb) * 2**20
    fsize = int(limits.file_mb) * 2**20

    def apply():
        resource.setrlimit(resource.RLIMIT_DATA, (data, data))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def bwrap_command(argv: list[str], workdir: Path, hide: list[Path]) -> list[str]:
    """The bwrap command line: everything read-only, `hide` folders replaced by empty read-only ones
    (unless the course itself lives inside them), `workdir` writable, private /tmp, no network."""
    if not isinstance(argv, (list, tuple)) or not argv:
        raise TypeError(f"argv must be a non-empty list of str, got {argv!r}")
    if not Path(workdir).is_absolute():
        raise ValueError(f"workdir must be an absolute path, got {workdir}")
    course = [Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
              Path(sys.executable).resolve().parent, Path(__file__).resolve().parents[1]]
    hidden = [f.resolve() for f in hide]
    hidden = [f for f in hidden if f.is_dir() and not any(_inside(c, f) for c in course)]
    cmd = [shutil.which("bwrap") or "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
           "--tmpfs", "/tmp", "--unshare-all", "--die-with-parent", "--new-session"]
    # a course (or its venv) that lives under /tmp, as in a CI clone, stays visible through the private /tmp
    tmp_root = Path("/tmp").resolve()
    for folder in sorted({c for c in course if _inside(c, tmp_root) and c != tmp_root}):
        cmd += ["--ro-bind", str(folder), str(folder)]
    for folder in hidden:
        cmd += ["--tmpfs", str(folder)]
    # the work dir may lie inside a hidden folder: it is bound back on top, then the rest made read-only
    cmd += ["--bind", str(workdir), str(workdir)]
    for folder in hidden:
        cmd += ["--remount-ro", str(folder)]
    return cmd + ["--chdir", str(workdir), "--"] + list(argv)


def run_limited(argv: list[str], workdir: Path, limits: Limits, hide: list[Path] = (),
                sandbox: bool | None = None, extra_env: dict | None = None) -> RunResult:
    """Run `argv` in `workdir` under `limits`, inside bwrap when `sandbox` is True (None: when available).

    The child gets HOME=workdir/home and a private temp folder; the whole process tree is killed at the
    time limit. Output goes to workdir/run.log (its tail is returned)."""
    if not isinstance(argv, (list, tuple)) or not argv or not all(isinstance(a, str) for a in argv):
        raise TypeError(f"argv must be a non-empty list of str, got {argv!r}")
    if not isinstance(limits, Limits):
        raise TypeError(f"limits must be a sandbox.Limits, got {type(limits).__name__}")
    workdir = Path(workdir).resolve()
    if not workdir.is_dir():
        raise ValueError(f"workdir must be an existing folder, got {workdir}")
    if sandbox is None:
        sandbox = sandbox_status()[0]
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    tmp = Path("/tmp") if sandbox else workdir / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    env.update(HOME=str(home), TMPDIR=str(tmp), PYTHONNOUSERSITE="1", MPLBACKEND="Agg",
               MPLCONFIGDIR=str(tmp / "matplotlib"), IPYTHONDIR=str(tmp / "ipython"),
               JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"), JUPYTER_CONFIG_DIR=str(tmp / "jupyter"),
               JUPYTER_PLATFORM_DIRS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.update(extra_env or {})
    cmd = bwrap_command(argv, workdir, list(hide)) if sandbox else list(argv)
    log_path = workdir / "run.log"
    start = time.monotonic()
    timed_out = False
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_limit(limits))
        try:
            proc.wait(timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_tree(proc)
    seconds = time.monotonic() - start
    tail = "" if log_path.is_symlink() else log_path.read_bytes()[-4000:].decode("utf-8", errors="replace")
    return RunResult(None if timed_out else proc.returncode, round(seconds, 2), timed_out, sandbox, tail)


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill the run's process group and every descendant (a Jupyter kernel starts its own session,
    so the group alone does not reach it outside the sandbox; inside, bwrap's death ends them all)."""
    try:
        import psutil
        children = psutil.Process(proc.pid).children(recursive=True)
    except Exception:
        children = []
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    for child in children:
        try:
            child.kill()
        except Exception:
            pass
    proc.wait()


def _execute_notebook(src: str, dst: str, parameters_json: str, cell_timeout: str) -> int:
    """Inside the run: execute one notebook with papermill (cwd = the run's folder). 0 when it ran
    through, 1 when a cell raised (the executed notebook still records where and what)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(src, dst, parameters=json.loads(parameters_json), kernel_name="python3",
                            cwd=os.getcwd(), progress_bar=False, execution_timeout=float(cell_timeout))
    except PapermillExecutionError as err:
        print(f"cell raised {err.ename}: {err.evalue}")
        return 1
    return 0


if __name__ == "__main__":   # python -m bigmodel_lib.sandbox execute SRC DST PARAMS_JSON CELL_TIMEOUT
    if len(sys.argv) != 6 or sys.argv[1] != "execute":
        sys.exit("usage: python -m bigmodel_lib.sandbox execute SRC DST PARAMETERS_JSON CELL_TIMEOUT_S")
    sys.exit(_execute_notebook(*sys.argv[2:]))
