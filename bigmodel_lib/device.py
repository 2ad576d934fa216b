"""Pick a device, seed every RNG, and choose mixed precision: the three set-up steps every chapter repeats."""
from __future__ import annotations

import contextlib
import os
import random

import numpy as np
import torch

DEVICES = ("auto", "cpu", "cuda", "mps")
PROFILES = ("default", "full")


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()


def pick_device(device: str | torch.device = "auto") -> torch.device:
    """Return a torch.device: "auto" tries cuda, then mps, then cpu.

    An unknown name, or a device this machine does not have, raises ValueError
    before any work starts (a typo should not silently train on the CPU).
    """
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise TypeError(f"device must be a str such as {DEVICES}, got {type(device).__name__}")
    name = device.lower().strip()
    base = name.split(":")[0]
    if base not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES} (optionally 'cuda:N'), got {device!r}")
    if base == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if base == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was asked for but torch.cuda.is_available() is False; "
                         "use device='auto' or 'cpu'")
    if base == "mps" and not _mps_available():
        raise ValueError("device='mps' was asked for but MPS is not available; use 'auto' or 'cpu'")
    return torch.device(name)


def check_profile(profile: str) -> str:
    """Validate a notebook's `profile` parameter ("default" or "full")."""
    if not isinstance(profile, str) or profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    return profile


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed python, numpy and torch (all devices); return a torch.Generator seeded the same way."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    return torch.Generator().manual_seed(seed)


def setup(profile: str = "default", device: str = "auto", seed: int = 0) -> torch.device:
    """Validate a chapter's three standard parameters, seed everything and return the device."""
    check_profile(profile)
    dev = pick_device(device)
    seed_everything(seed)
    return dev


def autocast(device: torch.device | str, enabled: bool = True):
    """bf16 autocast on CUDA (where it pays), a no-op context elsewhere so CPU runs stay exact."""
    dev = torch.device(device) if not isinstance(device, torch.device) else device
    if enabled and dev.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()
