"""The torchrun entry point (run here in one process) and the ZeRO memory arithmetic."""
import json

import pytest

from bigmodel_lib.distributed import ZERO_STAGES, main, parse_args, zero_model_state_bytes

TINY = ["--steps", "3", "--n-layer", "1", "--d-model", "32", "--block-size", "16", "--max-chars", "20000"]


def test_zero_formulas_match_the_published_ones():
    psi, n = 7e9, 8
    assert zero_model_state_bytes(psi, n, 0) == 16 * psi
    assert zero_model_state_bytes(psi, n, 1) == pytest.approx(4 * psi + 12 * psi / n)
    assert zero_model_state_bytes(psi, n, 2) == pytest.approx(2 * psi + 14 * psi / n)
    assert zero_model_state_bytes(psi, n, 3) == pytest.approx(16 * psi / n)
    # the ZeRO paper's headline savings as the number of devices grows: 4x, 8x, and linear in N
    big = 10**6
    assert 16 * psi / zero_model_state_bytes(psi, big, 1) == pytest.approx(4, rel=1e-3)
    assert 16 * psi / zero_model_state_bytes(psi, big, 2) == pytest.approx(8, rel=1e-3)
    assert set(ZERO_STAGES) == {0, 1, 2, 3}


@pytest.mark.parametrize("args, match", [((1e9, 0, 1), "n_devices"), ((1e9, 2, 4), "stage"),
                                         ((-1, 2, 1), "n_params")])
def test_zero_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        zero_model_state_bytes(*args)


def test_parse_args_rejects_bad_values():
    with pytest.raises(SystemExit):
        parse_args(["--out", "x.json", "--steps", "0"])
    with pytest.raises(SystemExit):
        parse_args(["--out", "x.json", "--device", "tpu"])


def test_single_process_run_writes_losses(tmp_path, monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    out = tmp_path / "r.json"
    assert main(TINY + ["--batch-size", "8", "--out", str(out)]) == 0
    r = json.loads(out.read_text())
    assert r["ok"] and r["world_size"] == 1 and r["mode"] == "single"
    assert len(r["train_loss"]) == 3 and r["tokens"] == 3 * 8 * 16


def test_accumulation_of_half_batches_equals_the_full_batch(tmp_path, monkeypatch):
    """train.train draws each micro-batch from one generator, so 2 x 4 rows are exactly the 8 rows of one draw."""
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    main(TINY + ["--batch-size", "8", "--out", str(a)])
    main(TINY + ["--batch-size", "4", "--accum-steps", "2", "--out", str(b)])
    la, lb = json.loads(a.read_text())["train_loss"], json.loads(b.read_text())["train_loss"]
    assert max(abs(x - y) for x, y in zip(la, lb)) < 1e-5


def test_fsdp_needs_several_processes(tmp_path, monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    out = tmp_path / "f.json"
    assert main(TINY + ["--fsdp", "--out", str(out)]) == 1
    r = json.loads(out.read_text())
    assert not r["ok"] and "2 processes" in r["error"]
