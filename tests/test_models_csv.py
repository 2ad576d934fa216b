"""data/models.csv: types, units, plausible ranges, unique names, a source on every row, and 6·N·D rows
that really are 6·N·D. Also the helpers in bigmodel_lib.models_table that the chapters use."""
import csv
import math
from pathlib import Path

import pytest

from bigmodel_lib import models_table as mt

CSV = Path(__file__).resolve().parents[1] / "data" / "models.csv"


@pytest.fixture(scope="module")
def rows():
    with open(CSV, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def num(s):
    return None if s == "" else float(s)


def test_columns_and_size(rows):
    with open(CSV, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert tuple(header) == mt.COLUMNS
    assert len(rows) >= 20
    years = [int(r["year"]) for r in rows]
    assert min(years) == 2017 and max(years) >= 2024


def test_unique_names_and_sources(rows):
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names)), "duplicate model names"
    for r in rows:
        assert r["name"].strip() and r["organization"].strip()
        assert len(r["source"].strip()) >= 20, f"{r['name']}: every row needs a source"


def test_types_units_and_ranges(rows):
    for r in rows:
        name = r["name"]
        year = int(r["year"])                      # raises on a non-integer
        assert 2017 <= year <= 2026, name
        if r["month"]:
            assert 1 <= int(r["month"]) <= 12, name
        p, a, d, c = (num(r[k]) for k in ("params", "active_params", "train_tokens", "train_flops"))
        # raw counts, not "175" meaning billions: a model below 1e6 or above 1e13 parameters is a unit slip
        if p is not None:
            assert 1e6 <= p <= 1e13 and p == int(p), f"{name}: params must be a raw count, got {p}"
        if a is not None:
            assert p is not None and 1e6 <= a <= p, f"{name}: active params must be <= total"
        if d is not None:
            assert 1e8 <= d <= 1e14 and d == int(d), f"{name}: tokens must be a raw count, got {d}"
        if c is not None:                          # raw FLOPs, not PF-days
            assert 1e17 <= c <= 1e27, f"{name}: train_flops must be raw FLOPs, got {c}"
            assert r["flops_is_estimate"] in mt.FLOPS_KINDS, name
        else:
            assert r["flops_is_estimate"] == "", f"{name}: a kind without a number"
        assert r["architecture"] in mt.ARCHITECTURES, name
        if r["architecture"] == "decoder-moe":
            assert a is not None and a < p, f"{name}: an MoE row needs fewer active than total parameters"


def test_estimates_are_six_n_d(rows):
    est = [r for r in rows if r["flops_is_estimate"] == "yes"]
    assert len(est) >= 5
    for r in est:
        n = num(r["active_params"]) or num(r["params"])
        want = 6 * n * num(r["train_tokens"])
        assert math.isclose(num(r["train_flops"]), want, rel_tol=0.02), r["name"]


def test_t5_row_matches_its_source(rows):
    """T5-11B: Raffel et al. (arXiv:1910.10683) §3.7 pre-train the final models for 1M steps on batches of
    2^11 sequences of 512 tokens (about 1 trillion tokens). 34e9 is the T5-Base baseline of §3.1.2."""
    t5 = next(r for r in rows if r["name"] == "T5-11B")
    tokens = 1_000_000 * 2**11 * 512
    assert num(t5["params"]) == 11e9
    assert num(t5["train_tokens"]) == tokens, "T5 tokens: 1M steps x 2^11 sequences x 512 tokens (§3.7)"
    assert math.isclose(num(t5["train_flops"]), 6 * 11e9 * tokens, rel_tol=1e-3)
    assert "3.7" in t5["source"] and "1910.10683" in t5["source"]


def test_reported_dense_compute_close_to_six_n_d(rows):
    """Where the authors report compute and the tokens are known, 6·N·D lands near it (Gopher counts
    rematerialization and padding too, so it is allowed more)."""
    rep = [r for r in rows if r["flops_is_estimate"] == "no" and r["train_tokens"]]
    assert {r["name"] for r in rep} >= {"GPT-3 175B", "Llama 3.1 405B"}
    for r in rep:
        ratio = num(r["train_flops"]) / (6 * num(r["params"]) * num(r["train_tokens"]))
        tol = (1.0, 1.35) if r["name"].startswith("Gopher") else (0.9, 1.1)
        assert tol[0] <= ratio <= tol[1], (r["name"], ratio)


def test_load_types():
    df = mt.load()
    assert str(df["params"].dtype) == "float64" and str(df["year"].dtype) == "int64"
    assert df["date"].between(2017, 2026).all()
    moe = df[df["architecture"] == "decoder-moe"]
    assert (moe["n_compute"] < moe["params"]).all()
    with pytest.raises(FileNotFoundError):
        mt.load("/nonexistent/models.csv")


def test_summary_and_memory():
    s = mt.model_summary("GPT-3 175B")
    assert s["weights_fp32_bytes"] == 4 * 175e9 and s["weights_bf16_bytes"] == 350e9
    assert s["weights_int8_bytes"] == 175e9
    assert math.isclose(s["tokens_per_param"], 300e9 / 175e9)
    assert mt.model_summary("OPT-175B")["train_tokens"] is None          # unknown stays unknown
    with pytest.raises(ValueError, match="name"):
        mt.model_summary("GPT-5 (imaginary)")
    with pytest.raises(ValueError, match="dtype"):
        mt.weight_bytes(1e9, "fp8")
    with pytest.raises(ValueError, match="n_params"):
        mt.six_nd(-1, 10)


def test_fit_growth_recovers_a_known_rate():
    years = [2018, 2019, 2020, 2021, 2022]
    fit = mt.fit_growth(years, [10 * 4.0 ** (y - 2018) for y in years])
    assert math.isclose(fit["factor_per_year"], 4.0, rel_tol=1e-9)
    assert math.isclose(fit["doubling_months"], 6.0, rel_tol=1e-9) and fit["r2"] > 0.999
    with pytest.raises(ValueError):
        mt.fit_growth([2018, 2019, 2020], [1.0, float("nan"), 3.0])


def test_formatting():
    assert mt.fmt_si(1.75e11) == "175 B" and mt.fmt_si(None) == "—"
    assert mt.fmt_bytes(350e9) == "350 GB" and mt.fmt_bytes(1.12e12) == "1.12 TB"
