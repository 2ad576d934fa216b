"""Exercises of chapter 00 (setup check)."""
from __future__ import annotations

import torch

from . import Result, run_check, verdict


def exercise_1(n_flops_fn) -> Result:
    """FLOPs of an (m×k)·(k×n) matrix product: the learner writes `n_flops_fn(m, k, n)`."""
    def check(fn):
        cases = [(2, 3, 4), (64, 64, 64), (1, 1000, 1)]
        got = [fn(*c) for c in cases]
        want = [2 * m * k * n for m, k, n in cases]
        return verdict("00.1 matmul FLOPs", got == want, "right: each of the m·n outputs needs k multiplies and "
                       "k adds, 2·m·k·n in all.",
                       f"for (m, k, n) = {cases} you gave {got}, expected {want}. Count a multiply and an add "
                       f"per term of each dot product.")
    return run_check("00.1 matmul FLOPs", n_flops_fn, check)


def exercise_2(device_name) -> Result:
    """Which device string does pick_device('auto') choose on this machine?"""
    def check(name):
        from ..device import pick_device
        want = pick_device("auto").type
        return verdict("00.2 device", str(name) == want, f"right: this machine trains on {want}.",
                       f"you said {name!r}, but pick_device('auto') found {want!r} "
                       f"(cuda available: {torch.cuda.is_available()}).")
    return run_check("00.2 device", device_name, check)
