"""The sourced table of notable models (data/models.csv) as a typed DataFrame, plus the arithmetic the
background chapters do with it: 6·N·D, bytes to hold the weights, log-linear growth per year.

Units, everywhere: parameters and tokens are raw counts, compute is raw FLOPs (not PF-days), memory is bytes.
"""
from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .checks import check_float

# The table ships inside the package (package data, so a non-editable install has it too); in the
# repository that file is a link to data/models.csv, the one learners open and edit.
DATA_PATH = Path(str(resources.files("bigmodel_lib").joinpath("tables", "models.csv")))
COLUMNS = ("name", "organization", "year", "month", "params", "active_params", "train_tokens", "train_flops",
           "flops_is_estimate", "architecture", "source")
FLOPS_KINDS = ("no", "yes", "third-party")   # reported by the authors / 6·N·D computed here / third-party figure
ARCHITECTURES = ("encoder", "decoder", "encoder-decoder", "decoder-moe")
BYTES_PER_PARAM = {"fp32": 4, "bf16": 2, "int8": 1}
# bf16 weights 2 + grads 2 + fp32 master 4 + Adam m 4 + v 4 (ZeRO, arXiv:1910.02054 §3)
ADAM_MIXED_BYTES_PER_PARAM = 16


def load(path: str | Path | None = None) -> pd.DataFrame:
    """Read the model table with explicit dtypes; adds `date` (decimal year, mid-year when the month is
    unknown) and `n_compute` (the parameters a token passes through: active ones for MoE)."""
    path = DATA_PATH if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path {str(path)!r} does not exist (expected a table like data/models.csv)")
    df = pd.read_csv(path, dtype={"name": str, "organization": str, "flops_is_estimate": str,
                                  "architecture": str, "source": str})
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path.name} lacks columns {missing}; expected {list(COLUMNS)}")
    df["year"] = df["year"].astype("int64")
    df["month"] = df["month"].astype("Int64")
    for col in ("params", "active_params", "train_tokens", "train_flops"):
        df[col] = df[col].astype("float64")
    df["date"] = df["year"] + ((df["month"].astype("float64") - 0.5) / 12).fillna(0.5)
    df["n_compute"] = df["active_params"].fillna(df["params"])
    return df


def six_nd(n_params: float, tokens: float) -> float:
    """Training FLOPs of a dense transformer by Kaplan's rule: 6 per parameter per token (2 forward, 4 backward)."""
    check_float("n_params", n_params, minimum=0.0, exclusive_min=True)
    check_float("tokens", tokens, minimum=0.0, exclusive_min=True)
    return 6.0 * n_params * tokens


def weight_bytes(n_params: float, dtype: str = "bf16") -> float:
    """Bytes needed just to hold the weights in `dtype` ("fp32", "bf16" or "int8")."""
    check_float("n_params", n_params, minimum=0.0, exclusive_min=True)
    if dtype not in BYTES_PER_PARAM:
        raise ValueError(f"dtype must be one of {tuple(BYTES_PER_PARAM)}, got {dtype!r}")
    return n_params * BYTES_PER_PARAM[dtype]


def model_summary(name: str, table: pd.DataFrame | None = None) -> dict:
    """One row as plain numbers for the picker: size, memory for the weights, training compute.

    Missing cells stay None (the table leaves unknowns empty rather than guessing).
    """
    df = load() if table is None else table
    rows = df[df["name"] == name]
    if rows.empty:
        raise ValueError(f"name must be one of the table's models, got {name!r}")
    r = rows.iloc[0]

    def val(x):
        return None if pd.isna(x) else float(x)
    params, flops, tokens = val(r["params"]), val(r["train_flops"]), val(r["train_tokens"])
    out = {"name": name, "organization": r["organization"], "date": float(r["date"]), "params": params,
           "active_params": val(r["active_params"]), "train_tokens": tokens, "train_flops": flops,
           "flops_kind": None if pd.isna(r["flops_is_estimate"]) else r["flops_is_estimate"],
           "architecture": r["architecture"], "source": r["source"]}
    for dt in BYTES_PER_PARAM:
        out[f"weights_{dt}_bytes"] = None if params is None else weight_bytes(params, dt)
    out["tokens_per_param"] = None if params is None or tokens is None else tokens / out["active_params"]
    return out


def fit_growth(dates, values) -> dict:
    """Least-squares line through (date, log10 value): the growth factor per year and the doubling time.

    Returns {"slope": log10 per year, "factor_per_year", "doubling_months", "r2", "n"}.
    """
    x, y = np.asarray(dates, dtype=float), np.asarray(values, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 3:
        raise ValueError(f"dates and values must be 1-D of equal length >= 3, got {x.shape} and {y.shape}")
    if not np.isfinite(x).all() or not np.isfinite(y).all() or (y <= 0).any():
        raise ValueError("values must be finite and positive (drop empty cells first), dates finite")
    ly = np.log10(y)
    slope, intercept = np.polyfit(x, ly, 1)
    pred = slope * x + intercept
    r2 = 1.0 - float(((ly - pred) ** 2).sum() / ((ly - ly.mean()) ** 2).sum())
    return {"slope": float(slope), "intercept": float(intercept), "factor_per_year": float(10 ** slope),
            "doubling_months": 12 * math.log10(2) / slope if slope > 0 else math.inf, "r2": r2, "n": len(x)}


def _check_number_or_empty(x) -> None:
    if x is not None and (isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating))):
        raise TypeError(f"x must be a number or None (an empty cell), got {type(x).__name__} ({x!r})")


def fmt_si(x: float | None, unit: str = "") -> str:
    """Short human form of a big number: 1.75e11 -> '175 B', with B for 1e9, T for 1e12 (empty cell -> '—')."""
    _check_number_or_empty(x)
    if not isinstance(unit, str):
        raise TypeError(f"unit must be a str, got {type(unit).__name__}")
    if x is None or math.isnan(x):
        return "—"
    for scale, suffix in ((1e24, "Y"), (1e21, "Z"), (1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "B"), (1e6, "M"),
                          (1e3, "k")):
        if abs(x) >= scale:
            return f"{x / scale:.3g} {suffix}{unit}"
    return f"{x:.3g} {unit}".strip()


def fmt_bytes(x: float | None) -> str:
    """Decimal bytes: 3.5e11 -> '350 GB' (1 GB = 1e9 B, the unit GPU datasheets use)."""
    _check_number_or_empty(x)
    if x is None or math.isnan(x):
        return "—"
    for scale, suffix in ((1e15, "PB"), (1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if abs(x) >= scale:
            return f"{x / scale:.3g} {suffix}"
    return f"{x:.3g} B"
