"""`bigmodel grade`: three learners (complete = the solutions, partial = the chapter with one wrong answer,
hostile = writes into the teacher's $HOME, then the course) give the right gradebook, read from the checkers'
JSON output; the hostile one is contained and reported; re-running gives the same gradebook.

Chapter 00 only (the shortest); everything is written into tmp_path.
"""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from bigmodel_lib import grade
from bigmodel_lib.exercises import REPORT_MIME, RESULT_MIME, Result, report

ROOT = Path(__file__).resolve().parents[1]


KERNEL = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}


def tiny(path: Path, *code: str) -> Path:
    """A learner's notebook of a few code cells."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata = dict(KERNEL)
    nb.cells = [nbformat.v4.new_code_cell(c) for c in code]
    nbformat.write(nb, path)
    return path


def partial_chapter_00(path: Path) -> Path:
    """Chapter 00 as handed out, with a wrong answer to the device exercise (the others left None)."""
    nb = nbformat.read(ROOT / "notebooks" / "00_setup.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "ch00.exercise_2(" in c.source)
    cell.source = re.sub(r"^(\w+) = None", r'\1 = "tpu"', cell.source, count=1, flags=re.M)
    assert '"tpu"' in cell.source, cell.source
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_result_carries_its_verdict_as_json():
    r = Result("99.1 demo", False, "off by one")
    bundle = r._repr_mimebundle_()
    assert bundle[RESULT_MIME] == {"name": "99.1 demo", "status": "failed", "passed": False,
                                   "attempted": True, "message": "off by one"}
    assert "text/plain" in bundle and "text/html" in bundle
    assert Result("99.2 demo", False, "…", attempted=False).status == "not attempted"
    listed = report()._repr_mimebundle_()[REPORT_MIME]
    assert {"99.1 demo", "99.2 demo"} <= {v["name"] for v in listed}


def test_read_verdicts_skips_malformed_and_keeps_the_last():
    nb = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data", "data": {RESULT_MIME: {"name": "a", "status": "failed", "message": "x"}}},
        {"output_type": "display_data", "data": {RESULT_MIME: {"name": "b", "status": "hacked"}}},
        {"output_type": "display_data", "data": {RESULT_MIME: "not json"}},
        {"output_type": "display_data", "data": {REPORT_MIME: [{"name": "a", "status": "passed",
                                                               "message": "y"}]}}]}]}
    assert grade.read_verdicts(nb) == {"a": {"status": "passed", "message": "y"}}


def test_exercise_names_come_from_the_checkers():
    names = grade.exercise_names("00_setup")
    assert names and all(n.startswith("00.") for n in names), names
    assert grade.exercise_names("99_nothing") == []


def test_grade_rejects_an_output_inside_the_submissions(tmp_path):
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    with pytest.raises(ValueError, match="outside SUBMISSIONS"):
        grade.grade(tmp_path / "subs", tmp_path / "subs" / "out")
    with pytest.raises(ValueError, match="folder of learner folders"):
        grade.grade(tmp_path / "missing", tmp_path / "out")


def test_three_learners_complete_partial_hostile(tmp_path, sandbox_required):
    subs = tmp_path / "submissions"
    solutions = nbformat.read(ROOT / "notebooks" / "solutions" / "00_setup_solutions.ipynb", as_version=4)
    (subs / "alice").mkdir(parents=True)
    nbformat.write(solutions, subs / "alice" / "00_setup.ipynb")
    partial_chapter_00(subs / "bob" / "00_setup.ipynb")
    course_target, home_target = ROOT / "HACKED_BY_LEARNER.txt", Path.home() / "hacked_by_learner.txt"
    tiny(subs / "mallory" / "00_setup.ipynb",
         "from bigmodel_lib.exercises import ch00\nch00.exercise_2('cpu')",
         f"open({str(home_target)!r}, 'w').write('owned')",
         f"open({str(course_target)!r}, 'w').write('owned')")

    out = tmp_path / "gradebook"
    res = subprocess.run([sys.executable, "-m", "bigmodel_lib", "grade", str(subs), "-o", str(out),
                          "--timeout", "300"], cwd=tmp_path, capture_output=True, text=True, timeout=1200)
    print(res.stdout[-3000:], res.stderr[-3000:])
    assert res.returncode == 1, "mallory's chapter stopped, so the exit code says so"

    rows = read_csv(out / "gradebook.csv")
    names = grade.exercise_names("00_setup")
    by = {(r["learner"], r["exercise"]): r for r in rows}
    assert len(rows) == 3 * len(names)
    assert all(by["alice", n]["status"] == "passed" for n in names), rows
    assert by["bob", "00.2 device"]["status"] == "failed" and "'tpu'" in by["bob", "00.2 device"]["message"]
    assert all(by["bob", n]["status"] == "not attempted" for n in names if n != "00.2 device")
    # mallory's check before the attack counts; the attack stopped the chapter, with the reason
    assert by["mallory", "00.2 device"]["status"] == "passed"
    chapters = {r["learner"]: r for r in read_csv(out / "chapters.csv")}
    assert chapters["alice"]["status"] == chapters["bob"]["status"] == "ok"
    assert chapters["mallory"]["status"] == "stopped"
    assert "write outside its folder blocked" in chapters["mallory"]["reason"], chapters["mallory"]
    assert "Read-only file system" in chapters["mallory"]["reason"]
    for n in names:
        if n != "00.2 device":
            assert "stopped before this check" in by["mallory", n]["message"]
    # nothing of the teacher's changed
    assert not course_target.exists() and not home_target.exists()
    assert (ROOT / "README.md").is_file()
    # each learner's executed notebook, page and index; the HTML gradebook
    for learner in ("alice", "bob", "mallory"):
        for name in ("00_setup.ipynb", "00_setup.html", "index.html"):
            assert (out / learner / name).is_file(), (learner, name)
        assert not (out / learner / ".run").exists()
    page = (out / "gradebook.html").read_text()
    assert "sandboxed" in page and "write outside its folder blocked" in page
    assert page.count("✔ passed") == len(names) + 1
    assert json.loads((out / "times.json").read_text())["alice"]["00_setup"] > 0


def test_regrading_gives_the_same_gradebook(tmp_path, sandbox_required):
    subs = tmp_path / "subs"
    tiny(subs / "ann" / "00_setup.ipynb", "from bigmodel_lib.exercises import ch00\nr = ch00.exercise_2('gpu')")
    tiny(subs / "ben" / "00_setup.ipynb", "from bigmodel_lib.exercises import ch00\nch00.exercise_2('cpu')",
         "1 / 0")
    first, second = tmp_path / "one", tmp_path / "two"
    grade.grade(subs, first, limits=grade.Limits(seconds=240), log=lambda *_: None)
    grade.grade(subs, second, limits=grade.Limits(seconds=240), log=lambda *_: None)
    for name in ("gradebook.csv", "chapters.csv", "gradebook.html"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    rows = {r["learner"]: r for r in read_csv(first / "gradebook.csv") if r["exercise"] == "00.2 device"}
    assert rows["ann"]["status"] == "failed", "a check assigned to a variable still reaches the gradebook"
    assert rows["ben"]["status"] == "passed"
    assert "ZeroDivisionError" in read_csv(first / "chapters.csv")[1]["reason"]
