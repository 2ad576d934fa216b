"""Pipeline parallelism with the GPipe schedule: the layers split into stages, one stage per process (chapter 09).

Huang et al. 2019 (GPipe, arXiv:1811.06965) cut a model into p consecutive stages on p devices and the batch
into m micro-batches. Stage s runs the forward pass of micro-batch 1, sends its activations to stage s+1,
and moves on to micro-batch 2 while stage s+1 works on micro-batch 1. After all m forward passes, the
backward passes run in reverse, the gradients of the activations travelling back stage by stage. The
gradients of the m micro-batches add up, so one optimizer step sees the whole batch: the same update as
one process.

At the start and at the end of a step, some stages have nothing to do yet (or any more): the *bubble*.
With equal stages and each backward taking a fixed multiple of the forward, the idle fraction is
    (p − 1) / (m + p − 1)
(GPipe, section 2.2), so more micro-batches shrink it.

Run as a script under torchrun (2 processes, gloo):

    python -m torch.distributed.run --standalone --nproc_per_node 2 -m bigmodel_lib.pipeline --out r.json
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

from .checks import check_int, check_tensor, check_tokens
from .models import GPT, GPTConfig


def bubble_fraction(n_stages: int, n_micro: int) -> float:
    """GPipe's idle fraction (p − 1) / (m + p − 1) for p equal stages and m micro-batches."""
    check_int("n_stages", n_stages, minimum=1)
    check_int("n_micro", n_micro, minimum=1)
    return (n_stages - 1) / (n_micro + n_stages - 1)


class Stage(nn.Module):
    """A consecutive slice of the library's GPT: the first stage embeds, the last normalises and predicts."""

    def __init__(self, gpt: GPT, stage: int, n_stages: int):
        super().__init__()
        if not isinstance(gpt, GPT):
            raise TypeError(f"gpt must be a bigmodel_lib.models.GPT, got {type(gpt).__name__}")
        check_int("n_stages", n_stages, minimum=1, maximum=len(gpt.blocks))
        check_int("stage", stage, minimum=0, maximum=n_stages - 1)
        n = len(gpt.blocks)
        lo, hi = stage * n // n_stages, (stage + 1) * n // n_stages
        self.first, self.last = stage == 0, stage == n_stages - 1
        self.d_model = gpt.config.d_model
        self.blocks = nn.ModuleList(gpt.blocks[lo:hi])
        if self.first:
            self.tok_emb, self.pos_emb = gpt.tok_emb, gpt.pos_emb
        if self.last:
            self.ln_f, self.head = gpt.ln_f, gpt.head
            if not self.first and gpt.config.tie_weights:
                # the tied head lives on the last stage as its own copy (its gradient is added to the
                # embedding's across stages by `tied_grad_sum` when the step is compared with one process)
                self.head = nn.Linear(gpt.config.d_model, gpt.config.vocab_size, bias=False)
                self.head.weight = nn.Parameter(gpt.head.weight.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Token ids [B, T] on the first stage, hidden states [B, T, d] elsewhere -> hidden states or logits."""
        if self.first:
            check_tokens("x", x, self.tok_emb.num_embeddings, self.pos_emb.max_len)
        else:
            check_tensor("x", x, ndim=3, floating=True, shape_hint="[batch, time, d_model] (hidden states)")
        if self.first:
            x = self.pos_emb(self.tok_emb(x))
        for block in self.blocks:
            x = block(x, is_causal=True)
        return self.head(self.ln_f(x)) if self.last else x


def gpipe_step(stage: Stage, x: torch.Tensor, y: torch.Tensor, n_micro: int, rank: int, world: int) -> dict:
    """One GPipe training step (forward of all micro-batches, then backward in reverse) on this rank's stage.

    x, y: the whole batch [B, T] (every rank has it; the first stage reads x, the last y). Gradients are
    accumulated in the stage's parameters. Returns the loss (last stage; the mean over micro-batches, equal
    to the full batch's mean loss) and the intervals [start, end] (time.perf_counter) in which this rank
    was computing, so the idle time can be measured.
    """
    if not isinstance(stage, Stage):
        raise TypeError(f"stage must be a bigmodel_lib.pipeline.Stage, got {type(stage).__name__}")
    check_int("n_micro", n_micro, minimum=1)
    check_int("world", world, minimum=1)
    check_int("rank", rank, minimum=0, maximum=world - 1)
    check_tensor("x", x, ndim=2, shape_hint="[batch, time] token ids")
    check_tensor("y", y, ndim=2, shape_hint="[batch, time] token ids")
    if x.shape[0] % n_micro:
        raise ValueError(f"the batch of {x.shape[0]} rows must split into n_micro={n_micro} equal micro-batches")
    xs, ys = x.chunk(n_micro), y.chunk(n_micro)
    d = stage.d_model
    busy, inputs, outputs, losses = [], [], [], []
    for i in range(n_micro):                                    # forward: micro-batch i flows down the stages
        if stage.first:
            inp = xs[i]
        else:
            inp = torch.empty(xs[i].shape + (d,))
            dist.recv(inp, src=rank - 1)
            inp.requires_grad_(True)
        t0 = time.perf_counter()
        out = stage(inp)
        if stage.last:
            loss = F.cross_entropy(out.flatten(0, 1), ys[i].flatten()) / n_micro
            losses.append(loss)
        busy.append((t0, time.perf_counter()))
        if not stage.last:
            dist.send(out.detach().contiguous(), dst=rank + 1)
        inputs.append(inp)
        outputs.append(out)
    for i in reversed(range(n_micro)):                          # backward: gradients flow back up
        if stage.last:
            t0 = time.perf_counter()
            losses[i].backward()
        else:
            grad = torch.empty_like(outputs[i])
            dist.recv(grad, src=rank + 1)
            t0 = time.perf_counter()
            outputs[i].backward(grad)
        busy.append((t0, time.perf_counter()))
        if not stage.first:
            dist.send(inputs[i].grad.contiguous(), dst=rank - 1)
    loss = float(sum(v.item() for v in losses)) if stage.last else None
    return {"loss": loss, "busy": busy}


def _config(args) -> GPTConfig:
    return GPTConfig(vocab_size=args.vocab, block_size=args.seq, n_layer=args.n_layer, n_head=4,
                     d_model=args.d_model)


def run(args) -> dict:
    """On every rank: build the same GPT, check one GPipe step against one process, then time each m."""
    if not isinstance(args, argparse.Namespace):
        raise TypeError(f"args must be the argparse.Namespace that main() parses, got {type(args).__name__}")
    if not (dist.is_available() and dist.is_initialized()):
        raise ValueError("run needs a process group: start the script with torchrun (see the module docstring)")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(args.seed)
    gpt = GPT(_config(args))
    g = torch.Generator().manual_seed(args.seed)
    x = torch.randint(0, args.vocab, (args.batch, args.seq), generator=g)
    y = torch.randint(0, args.vocab, (args.batch, args.seq), generator=g)
    ref = GPT(_config(args))                                    # the one-process reference, same weights
    ref.load_state_dict(gpt.state_dict())
    ref_loss = ref(x, y)[1]
    ref_loss.backward()
    ref_grads = dict(ref.named_parameters())
    stage = Stage(gpt, rank, world)
    out = {"rank": rank, "equality": {}, "timing": {}}
    for m in args.micro:
        stage.zero_grad(set_to_none=True)
        step = gpipe_step(stage, x, y, m, rank, world)
        names = {id(p): n for n, p in gpt.named_parameters()}
        diffs = []
        for p in stage.parameters():
            name = names.get(id(p), "head.weight")
            ref_g = ref_grads[name if name != "head.weight" else "tok_emb.weight"].grad
            if name in ("tok_emb.weight", "head.weight") and gpt.config.tie_weights and world > 1:
                continue                                        # tied across stages: compared below, summed
            diffs.append(float((p.grad - ref_g).abs().max()))
        if gpt.config.tie_weights and world > 1:               # embedding (stage 0) + head (last stage) grads
            tied = stage.tok_emb.weight.grad if stage.first else stage.head.weight.grad
            tied = tied.clone()
            dist.all_reduce(tied)
            diffs.append(float((tied - ref_grads["tok_emb.weight"].grad).abs().max()))
        out["equality"][m] = {"loss": step["loss"], "grad_max_diff": max(diffs)}
    out["ref_loss"] = ref_loss.item()
    for m in args.micro:                                         # timing: a few steps per m, after a warm-up
        fractions = []
        for rep in range(args.repeats + 1):
            stage.zero_grad(set_to_none=True)
            dist.barrier()
            t0 = time.perf_counter()
            step = gpipe_step(stage, x, y, m, rank, world)
            dist.barrier()
            t1 = time.perf_counter()
            busy = torch.tensor([sum(b - a for a, b in step["busy"]), t1 - t0], dtype=torch.float64)
            dist.all_reduce(busy)
            span = busy[1].item() / world                       # the step's wall time, averaged over ranks
            if rep:                                             # rep 0 warms up
                fractions.append(1.0 - busy[0].item() / (world * span))
        fractions.sort()
        out["timing"][m] = {"idle_fraction": fractions[len(fractions) // 2], "all": fractions,
                            "bubble_formula": bubble_fraction(world, m)}
    return out


def main(argv: list[str] | None = None) -> int:
    """Under torchrun: rank 0 writes the loss/gradient check and the idle fractions for each micro-batch count."""
    if argv is not None and (not isinstance(argv, list) or not all(isinstance(a, str) for a in argv)):
        raise TypeError(f"argv must be a list of str (command-line words), got {argv!r}")
    p = argparse.ArgumentParser(prog="python -m bigmodel_lib.pipeline", description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--micro", type=int, nargs="+", default=[1, 2, 4, 8], help="micro-batch counts to run")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seq", type=int, default=64)
    p.add_argument("--n-layer", type=int, default=4)
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--vocab", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if int(os.environ.get("WORLD_SIZE", "1")) < 2:
        p.error("run me under torchrun with --nproc_per_node 2 (or more): a pipeline needs several stages")
    dist.init_process_group("gloo")
    result = run(args)
    gathered = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, result)
    if dist.get_rank() == 0:
        Path(args.out).write_text(json.dumps({"world": dist.get_world_size(), "ranks": gathered}))
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
