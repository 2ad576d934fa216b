"""Conceptual figure of chapter 00 (setup): what runs where when a notebook cell runs."""
from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from . import arrow, box, canvas, finish, label, note


def what_runs_where(labels: Mapping[str, str] | None = None) -> Figure:
    """The chain a cell passes through: notebook -> kernel -> bigmodel_lib -> torch -> CPU / CUDA GPU / MPS,
    with, under each link, the check of this chapter that tests it and what breaks there.

    Label keys: title, notebook, kernel, lib, torch, cpu, cuda, mps, and fail_notebook, fail_kernel, fail_lib,
    fail_torch, fail_device (the "what breaks here" notes).
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(11.0, 4.2, title=L("title", "What runs where when you run a cell"))
    chain = [
        ("notebook", "Notebook\n(JupyterLab,\nin the browser)", "input",
         "fail_notebook", "kernel missing from\nthe list: register it\n(ipykernel install)"),
        ("kernel", "Kernel\n(a Python process\nin the .venv)", "norm",
         "fail_kernel", "wrong Python:\nsys.version, the\nversions table"),
        ("lib", "bigmodel_lib\n(the course's\ncode)", "ffn",
         "fail_lib", "ImportError:\npip install -e .\nin the .venv"),
        ("torch", "torch\n(tensors,\nautograd)", "attn",
         "fail_torch", "which build: CPU\nor CUDA wheel,\nGPU visible?"),
    ]
    w, h, y, gap = 1.75, 1.25, 2.2, 0.55
    x = 0.25
    for i, (key, text, color, fkey, ftext) in enumerate(chain):
        box(ax, x, y, w, h, L(key, text), color=color, fontsize=9.5)
        note(ax, x + w / 2, 1.25, L(fkey, ftext), fontsize=8.5)
        if i:
            arrow(ax, (x - gap, y + h / 2), (x, y + h / 2))
        x += w + gap
    # the devices torch can hand work to
    devices = [("cpu", "CPU\n(always there)", "neutral"), ("cuda", "CUDA GPU\n(NVIDIA)", "output"),
               ("mps", "MPS\n(Apple GPU)", "output")]
    dx, dw, dh = x, 1.6, 0.78
    ys = [3.35, 2.45, 1.55]
    for (key, text, color), dy in zip(devices, ys):
        box(ax, dx, dy, dw, dh, L(key, text), color=color, fontsize=9)
        arrow(ax, (dx - gap, y + h / 2), (dx, dy + dh / 2), connection="arc3,rad=0.0")
    note(ax, dx + dw / 2, 1.05, L("fail_device", "not enough memory:\nsmaller batch or model"), fontsize=8.5)
    note(ax, 5.4, 0.3, L("footer", "device=\"auto\" asks torch for a CUDA GPU, then an Apple GPU (MPS), "
                                   "then takes the CPU"),
         fontsize=9, color="edge", style="normal")
    ax.set_xlim(0, dx + dw + 0.2)
    return finish(fig)
