"""Figures of chapter 09 (distributed training): what each kind of parallelism puts on which device, and what
the devices send each other: DDP's all-reduce, FSDP's gather-compute-free, tensor parallelism's column and row
split, and the pipeline's stages, micro-batches and bubble."""
from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..checks import check_int
from . import COLORS, arrow, box, canvas, finish, label, note

RANK_COLORS = ("#6FB1E4", "#F4A582", "#9BD3AE", "#D5C7F0")   # rank 0, 1, 2, 3


def ddp_figure(labels: dict | None = None) -> Figure:
    """Data parallelism: every device holds the whole model, takes its slice of the batch, and the gradients
    are averaged (all-reduce) before the identical optimizer step.

    Label keys: title, batch, slice, model, grad, allreduce, step, note.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(10.0, 5.2, title=L("title", "DDP: split the batch, copy the model, average the gradients"))
    box(ax, 2.5, 4.25, 5.0, 0.5, L("batch", "global batch (B sequences)"), color="input")
    for r, x0 in enumerate((0.6, 5.6)):
        c = RANK_COLORS[r]
        arrow(ax, (5.0, 4.25), (x0 + 1.9, 3.75))
        box(ax, x0, 3.2, 3.8, 0.5, L("slice", "slice {r}: B/2 sequences").format(r=r), color=c, alpha=0.5)
        box(ax, x0, 2.2, 3.8, 0.75, L("model", "device {r}: the WHOLE model\n(weights, gradients, Adam state)")
            .format(r=r), color="neutral", fontsize=9)
        arrow(ax, (x0 + 1.9, 3.2), (x0 + 1.9, 2.95))
        box(ax, x0 + 0.9, 1.45, 2.0, 0.45, L("grad", "gradient g{r}").format(r=r), color=c)
        arrow(ax, (x0 + 1.9, 2.2), (x0 + 1.9, 1.9))
        arrow(ax, (x0 + 1.9, 1.45), (5.0, 0.95), color="accent")
    box(ax, 2.5, 0.45, 5.0, 0.5, L("allreduce", "all-reduce: every device gets (g0 + g1) / 2"), color="mem",
        weight="bold")
    note(ax, 5.0, 0.12, L("step", "then each device takes the same optimizer step: the copies stay identical"),
         fontsize=9)
    return finish(fig)


def fsdp_figure(labels: dict | None = None) -> Figure:
    """FSDP / ZeRO-3: each device stores only its shard of every layer; before a layer runs its full weights are
    gathered, used and freed again; the gradients are reduce-scattered back into shards.

    Label keys: title, stored, gather, compute, free, backward, shard, full, rank.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(11.0, 4.6, title=L("title", "FSDP: store a shard, gather the layer, compute, free it"))
    cols = [(0.3, L("stored", "stored between uses")), (3.0, L("gather", "1. all-gather")),
            (5.7, L("compute", "2. run the layer")), (8.4, L("free", "3. free the gathered copy"))]
    for x0, text in cols:
        note(ax, x0 + 1.15, 3.95, text, fontsize=10, color="edge", style="normal")
    for r, y0 in enumerate((2.4, 0.9)):
        c = RANK_COLORS[r]
        note(ax, 0.1, y0 + 0.9, L("rank", "device {r}").format(r=r), ha="left", fontsize=9, color="edge",
             style="normal")
        for x0, kind in zip((0.3, 3.0, 5.7, 8.4), ("shard", "full", "full", "shard")):
            if kind == "shard":
                box(ax, x0 + 0.2, y0, 1.9, 0.35, L("shard", "half of layer i").format(r=r), color=c, fontsize=8)
            else:
                box(ax, x0 + 0.2, y0 + 0.35, 1.9, 0.35, L("full", "half from device 0"), color=RANK_COLORS[0],
                    fontsize=8)
                box(ax, x0 + 0.2, y0, 1.9, 0.35, L("full1", "half from device 1"), color=RANK_COLORS[1],
                    fontsize=8)
        arrow(ax, (2.4, y0 + 0.25), (3.1, y0 + 0.25))
        arrow(ax, (5.1, y0 + 0.25), (5.8, y0 + 0.25))
        arrow(ax, (7.8, y0 + 0.25), (8.5, y0 + 0.25))
    note(ax, 5.5, 0.35, L("backward", "backward: gather again, compute the gradient, reduce-scatter it: "
                                       "each device keeps the summed gradient of its own half only"), fontsize=9)
    return finish(fig)


def tensor_parallel_figure(labels: dict | None = None) -> Figure:
    """The Megatron MLP over two devices: W1 split by output columns, W2 by input rows, one all-reduce.

    Label keys: title, x, w1, h, w2, partial, allreduce, y, f, note.
    """
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    fig, ax = canvas(11.0, 5.0, title=L("title", "Tensor parallelism: split W1 by columns, W2 by rows"))
    box(ax, 0.2, 2.05, 1.3, 0.8, L("x", "x\n(same on\nboth devices)"), color="input", fontsize=9)
    for r, y0 in enumerate((3.1, 0.7)):
        c = RANK_COLORS[r]
        yc = y0 + 0.45
        arrow(ax, (1.5, 2.45), (2.0, yc))
        box(ax, 2.0, y0, 1.9, 0.9, L("w1", "W1 columns\nof half {r}").format(r=r), color=c, fontsize=9)
        arrow(ax, (3.9, yc), (4.4, yc))
        box(ax, 4.4, y0 + 0.1, 1.5, 0.7, L("h", "GELU(h{r})\nd_ff/2 units").format(r=r), color="ffn", fontsize=9)
        arrow(ax, (5.9, yc), (6.4, yc))
        box(ax, 6.4, y0, 1.7, 0.9, L("w2", "W2 rows\nof half {r}").format(r=r), color=c, fontsize=9)
        arrow(ax, (8.1, yc), (8.5, yc))
        box(ax, 8.5, y0 + 0.1, 1.0, 0.7, L("partial", "partial\ny{r}").format(r=r), color=c, alpha=0.6, fontsize=9)
        arrow(ax, (9.5, yc), (9.95, 2.45), color="accent")
        note(ax, 0.15, y0 + 1.05, L("dev", "device {r}").format(r=r), ha="left", fontsize=9, color="edge",
             style="normal")
    box(ax, 9.95, 1.95, 0.9, 1.0, L("allreduce", "all-\nreduce\n→ y"), color="mem", weight="bold", fontsize=9)
    note(ax, 5.3, 0.25, L("note", "no communication between W1 and W2: each device's hidden units feed only its own "
                                   "rows of W2"), fontsize=9)
    return finish(fig)


def gpipe_schedule(n_stages: int, n_micro: int, backward_cost: int = 2) -> list[tuple[int, str, int, int]]:
    """The GPipe timetable as (stage, kind, micro-batch, start) in unit time steps: a forward takes 1 unit,
    a backward `backward_cost` units; every stage waits for its input from the stage before (after, in backward)."""
    check_int("n_stages", n_stages, minimum=1)
    check_int("n_micro", n_micro, minimum=1)
    check_int("backward_cost", backward_cost, minimum=1)
    out = []
    for s in range(n_stages):
        for i in range(n_micro):
            out.append((s, "F", i, s + i))
    t_back = n_stages - 1 + n_micro            # the last stage finishes its last forward here
    for s in range(n_stages):
        for k, i in enumerate(reversed(range(n_micro))):
            out.append((s, "B", i, t_back + backward_cost * (n_stages - 1 - s + k)))
    return out


def pipeline_figure(n_stages: int = 2, n_micro: int = 4, labels: dict | None = None) -> Figure:
    """The GPipe schedule as a timetable: one row per stage (device), forward boxes F, backward boxes B (twice as
    long), grey idle time: the bubble, whose share is (p − 1)/(m + p − 1).

    Label keys: title, stage, time, bubble, legend.
    """
    check_int("n_stages", n_stages, minimum=1, maximum=8)
    check_int("n_micro", n_micro, minimum=1, maximum=16)
    L = lambda k, d: label(labels, k, d)  # noqa: E731
    bw = 2
    total = (1 + bw) * (n_micro + n_stages - 1)
    unit = min(0.45, 9.5 / total)
    width, height = total * unit + 1.6, 0.75 * n_stages + 1.2
    frac = (n_stages - 1) / (n_micro + n_stages - 1)
    fig, ax = canvas(width, height, title=L("title", "GPipe, {p} stages × {m} micro-batches: idle share "
                                                      "(p−1)/(m+p−1) = {f:.2f}").format(p=n_stages, m=n_micro, f=frac))
    x0 = 1.3
    for s in range(n_stages):
        y = height - 0.55 - 0.75 * (s + 1) + 0.2
        ax.add_patch(Rectangle((x0, y), total * unit, 0.55, fc=COLORS["neutral"], ec="none"))
        note(ax, x0 - 0.1, y + 0.27, L("stage", "stage {s}").format(s=s), ha="right", fontsize=9, color="edge",
             style="normal")
    for s, kind, i, t in gpipe_schedule(n_stages, n_micro, bw):
        y = height - 0.55 - 0.75 * (s + 1) + 0.2
        w = unit * (1 if kind == "F" else bw)
        fc = COLORS["attn"] if kind == "F" else COLORS["weight"]
        box(ax, x0 + t * unit, y, w, 0.55, f"{kind}{i + 1}" if unit > 0.2 else "", color=fc, rounded=False,
            fontsize=8, lw=0.8)
    note(ax, x0 + total * unit / 2, 0.45, L("legend", "F = forward of a micro-batch, B = its backward (2× as long); "
                                                       "grey = idle (the bubble)"), fontsize=9)
    note(ax, x0 + total * unit / 2, 0.1, L("time", "time →"), fontsize=9)
    return finish(fig)
