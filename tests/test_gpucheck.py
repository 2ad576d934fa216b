"""`bigmodel gpucheck` (bigmodel_lib/gpucheck.py): its no-GPU path, and its checks' logic on the CPU.

No GPU has run the full command yet; these tests exercise every piece that does not need one.
"""
from __future__ import annotations

import json
import math

import pytest
import torch

from bigmodel_lib import gpucheck
from bigmodel_lib.__main__ import main as bigmodel

TINY = {"n_layer": 1, "n_head": 2, "d_model": 32, "block_size": 16}


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA: the no-GPU path cannot be seen")
def test_without_cuda_it_says_so_and_exits_non_zero(tmp_path, capsys):
    report = tmp_path / "sub" / "report.json"
    assert bigmodel(["gpucheck", "-o", str(report)]) == 2
    err = capsys.readouterr().err
    assert "no CUDA device" in err and str(report) in err
    r = json.loads(report.read_text())
    assert r["ok"] is False and "no CUDA device" in r["error"] and r["checks"] == {}


@pytest.mark.parametrize("argv, message", [(["--device", "cpu"], "--device must be 'cuda'"),
                                           (["--skip", "bench,typo"], "unknown check"),
                                           (["--steps", "3"], "--steps must be >=")])
def test_bad_arguments_exit_2_before_any_work(tmp_path, capsys, argv, message):
    assert gpucheck.main([*argv, "-o", str(tmp_path / "r.json")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_cpu_vs_cpu_training_curves_match_and_a_different_curve_does_not():
    a, b, model, tok, data = gpucheck.training_curves("cpu", "cpu", steps=12, amp_b=False, shape=TINY,
                                                      max_chars=20_000)
    assert len(a) == len(b) == 12 and a == b           # same weights, same batches, fp32: the same run
    same = gpucheck.compare_curves(a, b)
    assert same["ok"] and same["max_abs_diff"] == 0.0 and same["final_abs_diff"] == 0.0
    assert a[-1] < a[0], "the run must learn something, or the comparison says nothing"
    shifted = gpucheck.compare_curves(a, [x + 0.5 for x in a])      # a curve stuck half a nat higher
    assert not shifted["ok"] and shifted["max_abs_diff"] == pytest.approx(0.5)
    drifting = [x + 0.02 * i for i, x in enumerate(a)]                # fine at first, apart at the end
    assert not gpucheck.compare_curves(a, drifting)["ok"]
    assert not gpucheck.compare_curves(a, [math.nan] * len(a))["ok"]
    # the KV-cache comparison runs on whatever device it is given; on the CPU its report has every case
    kv = gpucheck.kv_cache_mismatches(model, tok, data, "cpu")
    assert [c["prompt_len"] for c in kv["cases"]] == [1, 8, 15, 16, 23]
    assert kv["ok"] == all(c["equal"] for c in kv["cases"])
