"""`bigmodel run`: chapters executed with papermill, parameters injected, HTML and summary written, failures
named; and every chapter rejects a bad parameter in the cell right after its parameters (through papermill).
`bigmodel lab` (the README's start command) starts JupyterLab, also as root.

Everything is written into tmp_path.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

from bigmodel_lib import runner

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PARAMS = 'profile = "default"\ndevice = "auto"\nseed = 0\nsteps = 2'


def notebook(path: Path, *code: str) -> Path:
    """A small chapter: a title, a `parameters` cell, then the given code cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), params]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in code]
    nbformat.write(nb, path)
    return path


SETUP = ("import random\nfrom bigmodel_lib.device import setup\ndev = setup(profile, device, seed)\n"
         "print(f'profile={profile} device={dev} seed={seed} steps={steps} draw={random.random()!r}')")


def bigmodel(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The installed console script (as a user types it), or `python -m bigmodel_lib` without one."""
    script = Path(sys.executable).with_name("bigmodel")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "bigmodel_lib"]
    return subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True, timeout=900)


def stdout_of(nb: nbformat.NotebookNode, cell: int) -> str:
    return "".join(o.get("text", "") for o in nb.cells[cell].outputs if o.output_type == "stream")


def test_run_two_chapters_with_parameters(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_setup.ipynb", nbs)          # a real chapter
    notebook(nbs / "01_tiny.ipynb", SETUP)
    notebook(nbs / "02_not_asked_for.ipynb", "raise RuntimeError('must not run')")

    res = bigmodel("run", "--chapters", "00", "01_tiny", "--notebooks-dir", str(nbs), "--device", "cpu",
                   "--seed", "7", "-p", "steps", "5", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    out = tmp_path / "build" / "course"                                 # the default output folder

    summary = json.loads((out / "summary.json").read_text())
    assert [r["chapter"] for r in summary["chapters"]] == ["00_setup", "01_tiny"]
    assert all(r["status"] == "ok" and r["seconds"] > 0 for r in summary["chapters"])
    assert summary["parameters"] == {"device": "cpu", "seed": 7, "steps": 5}
    for name, shown in (("00_setup", "device: cpu"), ("01_tiny", "seed=7 steps=5")):
        assert name in res.stdout                                       # the printed table
        page = (out / f"{name}.html").read_text()                       # the HTML carries the outputs
        assert page.lstrip().lower().startswith("<!doctype html") and shown in page, name
    index = (out / "index.html").read_text()
    assert 'href="00_setup.html"' in index and 'href="01_tiny.html"' in index
    assert not (out / "02_not_asked_for.ipynb").exists()

    for name in ("00_setup", "01_tiny"):                                # the values were injected...
        nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
        injected = [i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1, name
        src = nb.cells[injected[0]].source
        assert 'device = "cpu"' in src and "seed = 7" in src and "steps = 5" in src, src
    # ... and took effect: the chapters printed them, and the seed drove the random draw
    setup_nb = nbformat.read(out / "00_setup.ipynb", as_version=4)
    assert "device: cpu" in "".join(stdout_of(setup_nb, i) for i in range(len(setup_nb.cells))
                                    if setup_nb.cells[i].cell_type == "code")
    tiny = nbformat.read(out / "01_tiny.ipynb", as_version=4)
    printed = stdout_of(tiny, len(tiny.cells) - 1)
    assert f"profile=default device=cpu seed=7 steps=5 draw={random.Random(7).random()!r}" in printed


def test_a_failing_chapter_is_named_and_the_others_still_run(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    notebook(nbs / "00_broken.ipynb", "values = [1, 2, 3]", "\n# the mean, badly\nmean = sum(values) / 0")
    notebook(nbs / "01_fine.ipynb", "print('fine', seed)")
    out = tmp_path / "out"

    res = bigmodel("run", "--notebooks-dir", str(nbs), "-o", str(out), "--seed", "1", cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    # the chapter, the cell (index in the source notebook, not counting the injected cell), and the error
    assert "00_broken: cell 3 (In [4]) `# the mean, badly` raised ZeroDivisionError: division by zero" \
        in res.stdout, res.stdout
    summary = {r["chapter"]: r for r in json.loads((out / "summary.json").read_text())["chapters"]}
    assert summary["00_broken"]["status"] == "failed" and "ZeroDivisionError" in summary["00_broken"]["error"]
    assert summary["01_fine"]["status"] == "ok"                         # the failure did not stop it
    assert (out / "00_broken.html").exists() and (out / "01_fine.html").exists()
    assert "failed" in (out / "index.html").read_text()


def test_a_bad_parameter_stops_the_chapter_with_a_clear_message(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    notebook(nbs / "01_tiny.ipynb", SETUP)
    res = bigmodel("run", "--notebooks-dir", str(nbs), "-o", str(tmp_path / "out"), "--device", "gpu",
                   cwd=tmp_path)
    assert res.returncode == 1
    assert "01_tiny: cell 2" in res.stdout and "ValueError: device must be one of" in res.stdout, res.stdout


def test_unknown_chapter_and_command_are_usage_errors(tmp_path):
    res = bigmodel("run", "--chapters", "99", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert res.returncode == 2 and "no chapter '99'" in res.stdout
    res = bigmodel("frobnicate", cwd=tmp_path)
    assert res.returncode == 2 and "unknown command" in res.stderr


def test_chapter_discovery_and_value_parsing():
    assert runner.default_notebooks_dir() == ROOT / "notebooks"
    found = runner.find_chapters(ROOT / "notebooks")
    assert found == sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert all("solutions" not in p.parts for p in found)
    assert runner.find_chapters(ROOT / "notebooks", ["00"]) == [ROOT / "notebooks" / "00_setup.ipynb"]
    with pytest.raises(ValueError, match="no chapter"):
        runner.find_chapters(ROOT / "notebooks", ["99"])
    assert runner.parse_value("5") == 5 and runner.parse_value("0.5") == 0.5
    assert runner.parse_value("True") is True and runner.parse_value("[1, 2]") == [1, 2]
    assert runner.parse_value("cuda") == "cuda" and runner.parse_value("'7'") == "7"


# a bad profile is tried on every chapter above, a bad device through `bigmodel run`; here the wrong type
BAD = [("seed", "7", "TypeError", "seed must be an int")]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_validates_its_parameters_first(chapter, tmp_path):
    """Through papermill, a bad profile stops the chapter in the first cell after the parameters."""
    with pytest.raises(PapermillExecutionError) as info:
        pm.execute_notebook(chapter, tmp_path / chapter.name, parameters={"profile": "huge"},
                            kernel_name="python3", cwd=str(tmp_path), progress_bar=False)
    err = info.value
    assert err.ename == "ValueError" and "profile" in err.evalue and "huge" in err.evalue, \
        f"{chapter.name}: the message should name the parameter and the bad value: {err.ename}: {err.evalue}"
    nb = nbformat.read(tmp_path / chapter.name, as_version=4)
    injected = next(i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", []))
    code_after = next(i for i in range(injected + 1, len(nb.cells)) if nb.cells[i].cell_type == "code")
    # papermill puts its own error markers into the saved notebook; find the failing cell by its outputs
    failing = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                   and any(o.output_type == "error" for o in c.get("outputs", [])))
    assert failing == code_after, f"{chapter.name}: validation must happen in the first code cell after " \
                                  f"the parameters cell (it failed in cell {failing}, expected {code_after})"


@pytest.mark.parametrize("name,value,ename,message", BAD, ids=[b[0] for b in BAD])
def test_setup_rejects_each_bad_parameter(name, value, ename, message, tmp_path):
    with pytest.raises(PapermillExecutionError) as info:
        pm.execute_notebook(ROOT / "notebooks" / "00_setup.ipynb", tmp_path / "out.ipynb",
                            parameters={name: value}, kernel_name="python3", cwd=str(tmp_path),
                            progress_bar=False)
    assert info.value.ename == ename and info.value.evalue.startswith(message), info.value.evalue


def test_bigmodel_lab_starts_jupyterlab_even_as_root(tmp_path):
    """The README's start command ends in `bigmodel lab`: JupyterLab refuses to run as root without
    --allow-root, which `bigmodel lab` adds when the user is root (a container, a cloud VM)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = os.urandom(8).hex()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"))
    script = Path(sys.executable).with_name("bigmodel")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "bigmodel_lib"]
    log = (tmp_path / "lab.log").open("w")
    lab = subprocess.Popen(cmd + ["lab", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
                                  f"--ServerApp.token={token}", "--ServerApp.ip=127.0.0.1"],
                           cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert lab.poll() is None, (tmp_path / "lab.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=5) as r:
                    names = {item["name"] for item in json.load(r)["content"]}
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "lab.log").read_text()[-3000:]
                time.sleep(1)
        assert "00_setup.ipynb" in names, names          # it serves the course's chapters
    finally:
        os.killpg(lab.pid, 15)
        lab.wait(timeout=30)
        log.close()
