"""Pick a device, seed every RNG, choose the thread count and mixed precision: the set-up steps every
chapter repeats; and say which torch build is installed (`build_info`, `describe_build`)."""
from __future__ import annotations

import contextlib
import math
import os
import random
from pathlib import Path

import numpy as np
import torch

from .i18n import set_language, tr

DEVICES = ("auto", "cpu", "cuda", "mps")
PROFILES = ("default", "full")


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()


def pick_device(device: str | torch.device = "auto") -> torch.device:
    """Return a torch.device: "auto" takes cuda when a GPU is visible, then Apple's mps, then the cpu.

    On MPS, kernels round differently from the CPU and are not all deterministic, so the few asserts
    that compare with an exact CPU reference may miss their tolerance there; pass device="cpu" to get
    the CPU's exact, seeded results on any machine (the README's teacher page lists those chapters).

    An unknown name, or a device this machine does not have, raises ValueError
    before any work starts (a typo should not silently train on the CPU).
    """
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise TypeError(tr("device must be a str such as {devices}, got {got}", devices=DEVICES,
                           got=type(device).__name__))
    name = device.lower().strip()
    base = name.split(":")[0]
    if base not in DEVICES:
        raise ValueError(tr("device must be one of {devices} (optionally 'cuda:N'), got {got}", devices=DEVICES,
                            got=repr(device)))
    if base == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps" if _mps_available() else "cpu")
    if base == "cuda" and not torch.cuda.is_available():
        raise ValueError(tr("device='cuda' was asked for but torch.cuda.is_available() is False; "
                            "use device='auto' or 'cpu'"))
    if base == "mps" and not _mps_available():
        raise ValueError(tr("device='mps' was asked for but MPS is not available; use 'auto' or 'cpu'"))
    return torch.device(name)


def check_profile(profile: str) -> str:
    """Validate a notebook's `profile` parameter ("default" or "full")."""
    if not isinstance(profile, str) or profile not in PROFILES:
        raise ValueError(tr("profile must be one of {profiles}, got {got}", profiles=PROFILES, got=repr(profile)))
    return profile


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed python, numpy and torch (all devices); return a torch.Generator seeded the same way."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(tr("seed must be an int, got {got}", got=type(seed).__name__))
    if seed < 0:
        raise ValueError(tr("seed must be >= 0, got {got}", got=seed))
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    # PYTHONHASHSEED is not set here: Python fixes str hashing when the interpreter starts, so setting
    # it now would change nothing in this process (only in child processes); no chapter relies on the
    # iteration order of a set of strings.
    return torch.Generator().manual_seed(seed)


CGROUP_V2_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
CGROUP_V1_QUOTA = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
CGROUP_V1_PERIOD = Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")

#: The thread count setup() chose last, and why (None before the first call).
THREADS: tuple[int, str] | None = None


def cgroup_cpu_limit(v2: Path = CGROUP_V2_CPU_MAX, v1_quota: Path = CGROUP_V1_QUOTA,
                     v1_period: Path = CGROUP_V1_PERIOD) -> float | None:
    """The container's CPU quota in cores (cgroup v2 `cpu.max`, else v1 `cfs_quota_us`), None when
    unlimited or unreadable. A container limited to 2 CPUs on a 64-core host reads 2.0 here, while
    os.cpu_count() still says 64."""
    for name, path in (("v2", v2), ("v1_quota", v1_quota), ("v1_period", v1_period)):
        if not isinstance(path, Path):
            raise TypeError(f"{name} must be a pathlib.Path, got {type(path).__name__}")
    try:
        quota, period = v2.read_text().split()[:2]
        if quota != "max":
            return int(quota) / int(period)
        return None
    except (OSError, ValueError):
        pass
    try:
        quota_us = int(v1_quota.read_text())
        period_us = int(v1_period.read_text())
        return quota_us / period_us if quota_us > 0 and period_us > 0 else None
    except (OSError, ValueError):
        return None


def usable_cores(cgroup_limit: float | None = None, affinity: int | None = None) -> int:
    """Cores this process may really use: the CPUs it is allowed to run on (affinity), capped by the
    container's quota (rounded up), at least 1."""
    if cgroup_limit is not None and (isinstance(cgroup_limit, bool) or not isinstance(cgroup_limit, (int, float))
                                     or cgroup_limit <= 0):
        raise ValueError(f"cgroup_limit must be a positive number of cores or None, got {cgroup_limit!r}")
    if affinity is not None and (isinstance(affinity, bool) or not isinstance(affinity, int) or affinity < 1):
        raise ValueError(f"affinity must be a positive int or None, got {affinity!r}")
    if affinity is None:
        try:
            affinity = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            affinity = os.cpu_count() or 1
    cores = affinity
    if cgroup_limit is not None:
        cores = min(cores, math.ceil(cgroup_limit))
    return max(1, cores)


def _positive_int(name: str, value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a positive integer, got {value!r}") from None
    if n < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return n


def choose_threads(environ: dict | None = None, cores: int | None = None) -> tuple[int, str]:
    """The number of torch threads for a chapter, and the reason, in this order:

    1. `OMP_NUM_THREADS` when set (the standard knob; torch reads it too);
    2. `BIGMODEL_THREADS`, the course-wide setting a teacher puts on a shared server (a hub);
    3. otherwise half the usable cores (affinity and cgroup quota), at least 1: two kernels on the same
       cores then do not fight (each torch kernel by default spins a thread on every core, and two of
       them at once can stall for minutes), and one kernel alone loses little because the chapters'
       matrices are small.

    A value that is not a positive integer raises ValueError naming the variable.
    """
    if environ is not None and not hasattr(environ, "get"):
        raise TypeError(f"environ must be a mapping such as os.environ, got {type(environ).__name__}")
    env = os.environ if environ is None else environ
    for name in ("OMP_NUM_THREADS", "BIGMODEL_THREADS"):
        value = env.get(name, "").strip()
        if value:
            return _positive_int(name, value), f"{name}={value}"
    if cores is None:
        cores = usable_cores(cgroup_cpu_limit())
    if isinstance(cores, bool) or not isinstance(cores, int) or cores < 1:
        raise ValueError(f"cores must be a positive int, got {cores!r}")
    n = max(1, cores // 2)
    return n, f"half of the {cores} usable core{'s' if cores != 1 else ''}"


def setup(profile: str = "default", device: str = "auto", seed: int = 0, lang: str = "en") -> torch.device:
    """Validate a chapter's standard parameters, choose the thread count (`choose_threads`), seed everything
    and return the device. `lang` ("en" or "zh") is the language of everything the library says from here on
    (exercise verdicts, figure labels, these errors): the Chinese notebooks pass "zh"."""
    global THREADS
    set_language(lang)
    check_profile(profile)
    dev = pick_device(device)
    THREADS = choose_threads()
    torch.set_num_threads(THREADS[0])
    seed_everything(seed)
    return dev


def build_info() -> dict:
    """Which torch build is installed and what this machine offers it, as plain data:
    torch version, `build` ("cuda", "rocm" or "cpu"), the CUDA version it was built for, whether a GPU
    (CUDA) or Apple's MPS is visible, the GPU's name, and the threads setup() uses."""
    cuda_version = getattr(torch.version, "cuda", None)
    hip_version = getattr(torch.version, "hip", None)
    build = "cuda" if cuda_version else ("rocm" if hip_version else "cpu")
    gpu = torch.cuda.is_available()
    return {
        "torch": torch.__version__,
        "build": build,
        "cuda_version": cuda_version,
        "gpu_visible": gpu,
        "gpu_name": torch.cuda.get_device_name(0) if gpu else None,
        "mps_available": _mps_available(),
        "threads": choose_threads()[0],
        "threads_reason": choose_threads()[1],
        "auto_device": str(pick_device("auto")),
    }


def describe_build(info: dict | None = None) -> str:
    """`build_info()` in one or two plain sentences: what is installed and what it means here."""
    if info is not None and not isinstance(info, dict):
        raise TypeError(f"info must be a dict from build_info(), got {type(info).__name__}")
    info = build_info() if info is None else info
    head = f"torch {info['torch']}, "
    if info["build"] == "cpu":
        head += "CPU-only build"
    elif info["build"] == "rocm":
        head += "ROCm (AMD GPU) build"
    else:
        head += f"CUDA {info['cuda_version']} build"
    if info["gpu_visible"]:
        what = f"a GPU is visible ({info['gpu_name']}): device='auto' runs on it."
    elif info["mps_available"]:
        what = ("Apple's MPS is available: device='auto' runs on the Apple GPU; pass device='cpu' for the "
                "CPU's exact, seeded results.")
    elif info["build"] == "cpu":
        what = "no GPU support is installed: everything runs on the CPU, which is all the course needs."
    else:
        what = ("no GPU is visible: the CUDA libraries are installed but unused, and everything runs on "
                "the CPU (which is all the course needs).")
    return f"{head}; {what} Threads: {info['threads']} ({info['threads_reason']})."


def autocast(device: torch.device | str, enabled: bool = True):
    """bf16 autocast on CUDA (where it pays), a no-op context elsewhere so CPU runs stay exact."""
    if not isinstance(device, torch.device):
        if not isinstance(device, str) or device.lower().strip().split(":")[0] not in DEVICES[1:]:
            raise ValueError(f"device must be one of {DEVICES[1:]} or a torch.device, got {device!r}")
    dev = torch.device(device) if not isinstance(device, torch.device) else device
    if enabled and dev.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()
