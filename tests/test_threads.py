"""setup() chooses the thread count deliberately (OMP_NUM_THREADS, then BIGMODEL_THREADS, then half the
usable cores under the container's CPU quota); and, slow: two chapters run at the same time both pass,
each within about twice its time alone."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from bigmodel_lib import device
from bigmodel_lib.device import cgroup_cpu_limit, choose_threads, usable_cores

ROOT = Path(__file__).resolve().parents[1]


def test_omp_num_threads_wins_then_the_course_setting():
    assert choose_threads({"OMP_NUM_THREADS": "3", "BIGMODEL_THREADS": "5"}, cores=8) == (3, "OMP_NUM_THREADS=3")
    assert choose_threads({"BIGMODEL_THREADS": "5"}, cores=8) == (5, "BIGMODEL_THREADS=5")
    assert choose_threads({"OMP_NUM_THREADS": " "}, cores=8)[0] == 4      # blank counts as unset


def test_default_is_half_the_usable_cores_at_least_one():
    assert choose_threads({}, cores=8) == (4, "half of the 8 usable cores")
    assert choose_threads({}, cores=2)[0] == 1
    assert choose_threads({}, cores=1) == (1, "half of the 1 usable core")
    assert choose_threads({}, cores=3)[0] == 1


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_bad_setting_is_named(value):
    with pytest.raises(ValueError, match="BIGMODEL_THREADS must be a positive integer"):
        choose_threads({"BIGMODEL_THREADS": value}, cores=4)


def test_bad_cores_is_rejected():
    with pytest.raises(ValueError, match="cores must be a positive int"):
        choose_threads({}, cores=0)


def test_cgroup_quota_caps_the_cores(tmp_path):
    v2, q, p = tmp_path / "cpu.max", tmp_path / "quota", tmp_path / "period"
    v2.write_text("150000 100000\n")
    assert cgroup_cpu_limit(v2, q, p) == 1.5
    v2.write_text("max 100000\n")
    assert cgroup_cpu_limit(v2, q, p) is None
    v2.unlink()
    q.write_text("400000\n")
    p.write_text("100000\n")
    assert cgroup_cpu_limit(v2, q, p) == 4.0                             # cgroup v1
    q.write_text("-1\n")
    assert cgroup_cpu_limit(v2, q, p) is None                            # v1 unlimited
    assert usable_cores(1.5, affinity=64) == 2                           # a 1.5-CPU container on 64 cores
    assert usable_cores(None, affinity=64) == 64
    assert usable_cores(8.0, affinity=2) == 2                            # pinned to 2 CPUs


def test_setup_applies_the_choice(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
        monkeypatch.setenv("BIGMODEL_THREADS", "1")
        device.setup()
        assert torch.get_num_threads() == 1 and device.THREADS == (1, "BIGMODEL_THREADS=1")
        monkeypatch.setenv("BIGMODEL_THREADS", "nope")
        with pytest.raises(ValueError, match="BIGMODEL_THREADS"):
            device.setup()
    finally:
        torch.set_num_threads(before)


def test_build_info_says_which_torch_is_installed():
    info = device.build_info()
    assert info["build"] in ("cpu", "cuda", "rocm") and info["torch"] == torch.__version__
    assert (info["cuda_version"] is None) == (torch.version.cuda is None)
    text = device.describe_build(info)
    assert torch.__version__ in text and ("CPU-only" in text or "CUDA" in text or "ROCm" in text)
    fake = dict(info, build="cuda", cuda_version="12.8", gpu_visible=False, mps_available=False)
    assert "CUDA libraries are installed but unused" in device.describe_build(fake)


CELL_LIMIT = 240      # seconds any one cell may take before `bigmodel run` stops it and names it


def run_chapter(chapter: str, out: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "BIGMODEL_THREADS")}
    return subprocess.Popen([sys.executable, "-m", "bigmodel_lib", "run", "--chapters", chapter, "-o", str(out),
                             "--timeout", str(CELL_LIMIT)], cwd=out.parent, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def seconds(proc: subprocess.Popen, out: Path) -> float:
    """The chapter's seconds from its summary; a run that hangs past every cell limit is killed and its log
    shown (a CI run once sat silent here for 15 minutes, with nothing to say where)."""
    try:
        log, _ = proc.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        proc.kill()
        log, _ = proc.communicate()
        pytest.fail(f"`bigmodel run` did not finish in 600 s; its output:\n{log[-4000:]}")
    assert proc.returncode == 0, log[-4000:]
    (row,) = json.loads((out / "summary.json").read_text())["chapters"]
    assert row["status"] == "ok", row
    return row["seconds"]


@pytest.mark.slow
@pytest.mark.timeout(2400)
@pytest.mark.xfail(strict=False, reason="known, not yet fixed: chapter 05 run beside 08 sometimes stalls (10 s alone, "
                   "249 s in the pair in one CI run of five; silent for 900 s in an earlier one)")
def test_two_chapters_at_once_both_pass_within_twice_their_time_alone(tmp_path):
    """Chapters 05 (its prediction of a run time) and 08 (a sweep and timed kernels): the pair that stalled
    for minutes when each kernel's torch took every core."""
    chapters = ("05", "08")
    alone = {}
    for c in chapters:
        alone[c] = seconds(run_chapter(c, tmp_path / f"alone{c}"), tmp_path / f"alone{c}")
    start = time.monotonic()
    procs = {c: run_chapter(c, tmp_path / f"pair{c}") for c in chapters}
    pair = {c: seconds(p, tmp_path / f"pair{c}") for c, p in procs.items()}
    print(f"alone {alone} s; at the same time {pair} s (both done in {time.monotonic() - start:.0f} s)")
    for c in chapters:
        assert pair[c] <= 2.5 * alone[c] + 15, (c, alone, pair)
