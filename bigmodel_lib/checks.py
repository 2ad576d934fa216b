"""Argument checks shared by the library: fail early, name the argument and say what was expected."""
from __future__ import annotations

from typing import Iterable

import torch


def check_int(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """Raise TypeError unless `value` is an int (not bool), ValueError if it is out of range."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_float(name: str, value, minimum: float | None = None, maximum: float | None = None,
                exclusive_min: bool = False) -> float:
    """Raise TypeError unless `value` is a real number, ValueError if it is out of range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} ({value!r})")
    if value != value:
        raise ValueError(f"{name} must not be NaN")
    if minimum is not None and (value < minimum or (exclusive_min and value == minimum)):
        raise ValueError(f"{name} must be {'>' if exclusive_min else '>='} {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return float(value)


def check_tensor(name: str, t, ndim: int | None = None, min_ndim: int | None = None,
                 last_dim: int | None = None, floating: bool = False,
                 dtypes: Iterable[torch.dtype] | None = None, shape_hint: str = "") -> torch.Tensor:
    """Check a tensor argument's type, rank, last dimension and dtype, with a message that names it."""
    hint = f" {shape_hint}" if shape_hint else ""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor{hint}, got {type(t).__name__}")
    if ndim is not None and t.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions{hint}, got shape {tuple(t.shape)}")
    if min_ndim is not None and t.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimensions{hint}, got shape {tuple(t.shape)}")
    if last_dim is not None and t.shape[-1] != last_dim:
        raise ValueError(f"{name} must have last dimension {last_dim}{hint}, got shape {tuple(t.shape)}")
    if floating and not t.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {t.dtype}")
    if dtypes is not None:
        dtypes = tuple(dtypes)
        if t.dtype not in dtypes:
            raise TypeError(f"{name} must have dtype in {[str(d) for d in dtypes]}, got {t.dtype}")
    return t


def check_tokens(name: str, t, vocab_size: int, max_len: int | None = None,
                 values: bool | None = None) -> torch.Tensor:
    """Check a [batch, time] integer token tensor: dtype, rank, non-empty, length, ids in [0, vocab_size).

    Reading the ids' range means copying a number to the host: on a GPU that waits for every queued
    kernel (a device sync), and under torch.compile it splits the graph. So `values=None` (the default,
    what a model's forward uses) checks the ids only on CPU tensors, where no device waits, and skips it
    while torch.compile traces; on an accelerator an out-of-range id then fails inside the embedding
    lookup instead. values=True checks on any device (for entry points called once, like generate);
    values=False skips the range check.
    """
    check_tensor(name, t, ndim=2, shape_hint="[batch, time]")
    if t.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
        raise TypeError(f"{name} must hold integer token ids, got dtype {t.dtype}")
    if t.shape[0] == 0 or t.shape[1] == 0:
        raise ValueError(f"{name} must be non-empty [batch, time], got shape {tuple(t.shape)}")
    if max_len is not None and t.shape[1] > max_len:
        raise ValueError(f"{name} has {t.shape[1]} positions, more than the model's context of {max_len}")
    if values is None:
        values = t.device.type == "cpu" and not torch.compiler.is_compiling()
    if values:
        lo, hi = torch.stack(torch.aminmax(t)).tolist()  # one pass, one read (min then max would be two)
        if lo < 0 or hi >= vocab_size:
            raise ValueError(f"{name} ids must be in [0, {vocab_size}) (vocab_size), got min {lo} and max {hi}")
    return t
