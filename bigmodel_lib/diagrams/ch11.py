"""Figures of chapter 11 (not enough compute): the memory of a training step as a stack (weights, gradients,
optimizer state, activations) for fp32, mixed precision and the three ZeRO stages, and what activation
checkpointing keeps."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from . import COLORS, arrow, box, canvas, finish, label, note

_PARTS = (("weights", "weight"), ("gradients", "key"), ("optimizer", "query"), ("activations", "value"))


def state_bytes_per_gpu(n_params: float, activations: float, n_gpus: int) -> dict[str, dict[str, float]]:
    """Bytes per GPU of each part of a training step, for each setting of the stacked figure.

    fp32 Adam: 4 + 4 + 8 bytes per parameter. Mixed precision (ZeRO's accounting, arXiv:1910.02054 §3):
    2 (16-bit weights) + 2 (16-bit gradients) + 12 (fp32 master copy, Adam m and v). ZeRO-1 shards the 12,
    ZeRO-2 also the gradients, ZeRO-3 also the weights, over `n_gpus` data-parallel GPUs. Activations are
    per GPU and not sharded by ZeRO (each GPU runs its own micro-batch).
    """
    if n_params <= 0 or activations < 0 or int(n_gpus) != n_gpus or n_gpus < 1:
        raise ValueError(f"need n_params > 0, activations >= 0 and an int n_gpus >= 1, got "
                         f"{n_params}, {activations}, {n_gpus}")
    p, k = float(n_params), float(n_gpus)
    return {
        "fp32": {"weights": 4 * p, "gradients": 4 * p, "optimizer": 8 * p, "activations": activations},
        "mixed": {"weights": 2 * p, "gradients": 2 * p, "optimizer": 12 * p, "activations": activations / 2},
        "ZeRO-1": {"weights": 2 * p, "gradients": 2 * p, "optimizer": 12 * p / k, "activations": activations / 2},
        "ZeRO-2": {"weights": 2 * p, "gradients": 2 * p / k, "optimizer": 12 * p / k,
                   "activations": activations / 2},
        "ZeRO-3": {"weights": 2 * p / k, "gradients": 2 * p / k, "optimizer": 12 * p / k,
                   "activations": activations / 2},
    }


def memory_stack(n_params: float = 7e9, activations: float = 60e9, n_gpus: int = 8, gpu_gb: float = 80,
                 labels: Mapping[str, str] | None = None) -> Figure:
    """Stacked bars of one GPU's memory in a training step: fp32, mixed precision, ZeRO-1/2/3.

    `activations` are the fp32 activation bytes per GPU (halved for the 16-bit settings). A dashed line marks
    one GPU's memory. labels keys: title, ylabel, gpu, weights, gradients, optimizer, activations, and the
    setting names fp32, mixed, ZeRO-1, ZeRO-2, ZeRO-3.
    """
    data = state_bytes_per_gpu(n_params, activations, n_gpus)
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    names = list(data)
    bottoms = [0.0] * len(names)
    for part, color in _PARTS:
        vals = [data[n][part] / 1e9 for n in names]
        ax.bar(range(len(names)), vals, bottom=bottoms, color=COLORS[color], edgecolor=COLORS["edge"], lw=0.6,
               label=label(labels, part, part))
        bottoms = [b + v for b, v in zip(bottoms, vals)]
    for i, total in enumerate(bottoms):
        ax.text(i, total + 2, f"{total:,.0f} GB", ha="center", va="bottom", fontsize=8)
    ax.axhline(gpu_gb, color=COLORS["accent"], ls="--", lw=1.2)
    ax.text(len(names) - 0.5, gpu_gb + 2, label(labels, "gpu", "one {gb:g} GB GPU").format(gb=gpu_gb), ha="right",
            va="bottom", fontsize=8, color=COLORS["accent"])
    ax.set_xticks(range(len(names)), [label(labels, n, n) for n in names])
    ax.set_ylabel(label(labels, "ylabel", "GB per GPU"))
    ax.set_ylim(0, max(bottoms) * 1.12)
    ax.set_title(label(labels, "title", "One GPU's memory in a training step: {b:g}B parameters, ZeRO over {k} "
                                        "GPUs").format(b=n_params / 1e9, k=n_gpus), fontsize=11)
    ax.legend(fontsize=8, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    return finish(fig)


def checkpointing(n_layer: int = 4, labels: Mapping[str, str] | None = None) -> Figure:
    """What the forward pass keeps for backward: every layer's inside (plain) vs only each layer's input
    (checkpointed), with the one layer rebuilt during backward.

    labels keys: title, plain, ckpt, input, inside, kept, dropped, rebuilt, forward, backward.
    """
    if int(n_layer) != n_layer or not 2 <= n_layer <= 8:
        raise ValueError(f"n_layer must be an int in 2..8, got {n_layer}")
    fig, ax = canvas(10, 4.6, title=label(labels, "title", "What is kept for the backward pass"))
    w, gap = 1.6, 0.5
    rows = ((label(labels, "plain", "plain"), 2.7), (label(labels, "ckpt", "checkpointed"), 0.6))
    for row, (name, y) in enumerate(rows):
        note(ax, 0.15, y + 0.55, name, ha="left", fontsize=10, color="edge",
             style="normal")
        for i in range(n_layer):
            x = 1.6 + i * (w + gap)
            box(ax, x, y, 0.3, 1.1, "", color="value", lw=1.0)
            rebuilt = row == 1 and i == n_layer - 2
            keep = row == 0 or rebuilt
            box(ax, x + 0.4, y, w - 0.4, 1.1, label(labels, "rebuilt", "rebuilt\nin backward") if rebuilt
                else (label(labels, "inside", "inside:\nQKV, scores,\nMLP, norms") if keep else ""),
                color="value" if keep else "white", lw=1.0, fontsize=7.5, alpha=1.0,
                edgecolor="accent" if rebuilt else None)
            if not keep:
                note(ax, x + 0.4 + (w - 0.4) / 2, y + 0.55, label(labels, "dropped", "freed"), fontsize=8)
            if i < n_layer - 1:
                arrow(ax, (x + w + 0.02, y + 0.55), (x + w + gap - 0.02, y + 0.55))
    note(ax, 1.75, 2.45, label(labels, "input", "layer input (kept in both)"), ha="left", fontsize=8)
    x_end = 1.6 + (n_layer - 1) * (w + gap) + w
    arrow(ax, (1.6, 4.1), (x_end, 4.1), text=label(labels, "forward", "forward: left to right"), fontsize=8)
    arrow(ax, (x_end, 0.25), (1.6, 0.25), text=label(labels, "backward",
                                                     "backward: right to left, rebuilding one layer at a time"),
          fontsize=8)
    return finish(fig)
