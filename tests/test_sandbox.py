"""Hostile submissions, each stopped or contained and reported in the gradebook with the reason, while
the other learners are still graded and nothing of the teacher's changes: a write into the course, a socket
to a non-loopback address, an endless loop, an allocation far above the memory limit, deleting the course's
files. Then the same endless loop without bubblewrap: the time limit still kills the whole process tree
(kernel included).

Tiny one-cell notebooks named as chapter 00; everything is written into tmp_path.
"""
from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import psutil
import pytest

from bigmodel_lib import grade, sandbox
from bigmodel_lib.sandbox import Limits, run_limited

ROOT = Path(__file__).resolve().parents[1]


CHECK = "from bigmodel_lib.exercises import ch00\nch00.exercise_2('cpu')"
HOSTILE = {
    "net": "import socket\nsocket.create_connection(('93.184.216.34', 80), timeout=10)",
    "loop": "while True:\n    pass",
    "memory": "chunks = []\nwhile True:\n    chunks.append(bytearray(256 * 2**20))",
    "write": f"open({str(ROOT / 'README.md')!r}, 'a').write('owned')\n"
             f"open({str(ROOT / 'HACKED_BY_LEARNER.txt')!r}, 'w').write('owned')",
    "delete": f"import os, shutil\nos.remove({str(ROOT / 'README.md')!r})\n"
              f"shutil.rmtree({str(ROOT / 'notebooks')!r})",
}


def learner(subs: Path, name: str, *code: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in code]
    (subs / name).mkdir(parents=True)
    nbformat.write(nb, subs / name / "00_setup.ipynb")


def chapters(out: Path) -> dict[str, dict]:
    with (out / "chapters.csv").open(encoding="utf-8") as f:
        return {r["learner"]: r for r in csv.DictReader(f)}


def teacher_snapshot() -> tuple:
    """What the hostile learners aim at (other helpers may edit the README meanwhile: its tail is checked)."""
    readme = (ROOT / "README.md").read_text()
    return (readme.endswith("owned"), (ROOT / "HACKED_BY_LEARNER.txt").exists(),
            sorted(p.name for p in (ROOT / "notebooks").iterdir() if p.suffix == ".ipynb"))


def test_limits_reject_bad_values():
    with pytest.raises(ValueError, match="Limits.seconds must be a positive number"):
        Limits(seconds=0)
    with pytest.raises(ValueError, match="workdir must be an existing folder"):
        run_limited(["true"], Path("/nonexistent/x"), Limits())


def test_hostile_submissions_are_contained_and_reported(tmp_path, sandbox_required):
    subs = tmp_path / "subs"
    learner(subs, "good", CHECK)
    for name, code in HOSTILE.items():
        learner(subs, f"hostile_{name}", code, CHECK)
    before = teacher_snapshot()
    out = tmp_path / "out"
    limits = Limits(seconds=40, memory_mb=1536)
    rows = grade.grade(subs, out, limits=limits)
    got = chapters(out)
    for name, c in sorted(got.items()):
        print(f"{name:<16} {c['status']:<8} {c['reason']}")

    assert teacher_snapshot() == before
    assert got["good"]["status"] == "ok"
    assert [r["status"] for r in rows if r["learner"] == "good" and r["exercise"] == "00.2 device"] == ["passed"]
    assert got["hostile_net"]["reason"].startswith("network blocked"), got["hostile_net"]
    assert got["hostile_loop"]["reason"].startswith("time limit (40 s) exceeded"), got["hostile_loop"]
    assert got["hostile_memory"]["reason"].startswith("memory limit (1536 MiB) reached"), got["hostile_memory"]
    assert got["hostile_delete"]["reason"].startswith("write outside its folder blocked"), got["hostile_delete"]
    assert got["hostile_write"]["reason"].startswith("write outside its folder blocked"), got["hostile_write"]
    for name in HOSTILE:
        assert got[f"hostile_{name}"]["status"] == "stopped"
        verdicts = [r for r in rows if r["learner"] == f"hostile_{name}" and r["exercise"] == "00.2 device"]
        assert verdicts[0]["status"] == "not attempted"
        assert "stopped before this check" in verdicts[0]["message"]
        assert (out / f"hostile_{name}" / "index.html").is_file()
    assert not list(out.glob("*/.run"))


def test_without_sandbox_the_time_limit_still_kills_the_kernel(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    learner(subs, "loop", HOSTILE["loop"])
    out = tmp_path / "out"
    notes: list[str] = []
    grade.grade(subs, out, limits=Limits(seconds=20), sandbox=False, log=notes.append)
    assert notes[0].startswith("WARNING: no sandbox"), notes
    assert "WARNING: no sandbox" in (out / "gradebook.html").read_text()
    assert chapters(out)["loop"]["reason"].startswith("time limit (20 s) exceeded")
    left = [p.info for p in psutil.process_iter(["pid", "cmdline"])
            if any(str(out) in part for part in (p.info["cmdline"] or []))]
    assert not left, f"processes of the killed run are still alive: {left}"


def test_bwrap_command_hides_folders_and_keeps_the_course(tmp_path):
    work = tmp_path / "out" / "alice" / "run"
    work.mkdir(parents=True)
    cmd = sandbox.bwrap_command(["python3", "-V"], work, [tmp_path / "out", ROOT])
    joined = " ".join(cmd)
    assert f"--tmpfs {tmp_path / 'out'}" in joined and f"--remount-ro {tmp_path / 'out'}" in joined
    assert f"--tmpfs {ROOT}" not in joined, "the course (the library's home) must stay visible"
    assert f"--bind {work} {work}" in joined and "--unshare-all" in cmd
    assert cmd[-3:] == ["--", "python3", "-V"]


def test_a_course_under_tmp_stays_visible_through_the_private_tmp(tmp_path, monkeypatch):
    """CI clones the course and its venv under /tmp; the sandbox's private /tmp must not hide them."""
    venv = Path("/tmp") / "a-clone" / "course" / ".venv"
    monkeypatch.setattr(sandbox.sys, "prefix", str(venv))
    work = tmp_path / "run"
    work.mkdir()
    cmd = sandbox.bwrap_command(["python3", "-V"], work, [])
    tmpfs = cmd.index("/tmp", cmd.index("--tmpfs"))
    binds = [cmd[i + 1] for i, a in enumerate(cmd) if a == "--ro-bind" and i > tmpfs]
    assert str(venv.resolve()) in binds, f"the venv under /tmp is not bound back: {cmd}"


@pytest.mark.skipif(not sandbox.sandbox_status()[0], reason="needs bubblewrap")
def test_python_of_a_venv_under_tmp_starts_in_the_sandbox(tmp_path):
    """The real thing: a Python whose prefix lies under /tmp runs inside bwrap (it failed with 'bwrap: execvp
    ... No such file or directory' before /tmp paths of the course were bound back)."""
    import subprocess
    import sys
    import venv as venv_mod
    where = Path("/tmp") / f"bigmodel-venv-{tmp_path.name}"
    try:
        venv_mod.create(where, system_site_packages=True, with_pip=False)
        site = next((where / "lib").glob("python3*/site-packages"))
        (site / "course.pth").write_text("\n".join(p for p in sys.path if p.endswith("site-packages")) + "\n"
                                         + str(ROOT) + "\n")
        py = str(where / "bin" / "python")
        code = ("import sys; from pathlib import Path; from bigmodel_lib import sandbox; "
                "w = Path(sys.argv[1]); cmd = sandbox.bwrap_command([sys.executable, '-c', 'print(42)'], w, []); "
                "import subprocess; r = subprocess.run(cmd, capture_output=True, text=True); "
                "print(r.stdout.strip(), r.stderr.strip())")
        out = subprocess.run([py, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120)
        assert out.stdout.strip().startswith("42"), out.stdout + out.stderr
    finally:
        import shutil
        shutil.rmtree(where, ignore_errors=True)
