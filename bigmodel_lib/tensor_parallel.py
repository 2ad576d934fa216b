"""Tensor parallelism (Megatron-LM style): one layer's weight matrices split across processes (chapter 09).

Shoeybi et al. 2019 (arXiv:1909.08053, section 3) split a transformer's MLP and attention so that each of
`world` processes holds 1/world of every weight matrix and the layer needs only one all-reduce in the
forward pass and one in the backward pass:

* MLP  y = W2·act(W1·x):   W1 is split by output rows ("column-parallel": each rank computes its own slice
  of the hidden units, no communication), W2 by input columns ("row-parallel": each rank multiplies its
  slice of the hidden units and the partial results are summed with an all-reduce).
* attention: the heads are split, so each rank computes the q, k, v projections and the attention of its
  own heads; the output projection is row-parallel, again one all-reduce.

Two small autograd functions carry the communication (the paper's f and g): `copy_to_parallel` is the
identity forward and an all-reduce of the gradient backward; `reduce_from_parallel` is an all-reduce
forward and the identity backward. Without a process group (one process) both are the identity.

Run as a script under torchrun to check it against one process:

    python -m torch.distributed.run --standalone --nproc_per_node 2 -m bigmodel_lib.tensor_parallel --out r.json
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

from .attention import MultiHeadAttention
from .checks import check_int, check_tensor
from .layers import FeedForward

COMM = {"all_reduce": 0, "elements": 0}   # what this process has all-reduced so far (reset by the caller)


def _group() -> tuple[int, int]:
    """(rank, world) of the default process group, (0, 1) without one."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _all_reduce(t: torch.Tensor) -> torch.Tensor:
    if _group()[1] > 1:
        COMM["all_reduce"] += 1
        COMM["elements"] += t.numel()
        dist.all_reduce(t)
    return t


class _CopyToParallel(torch.autograd.Function):
    """f: identity forward; backward, the gradient from every rank's slice is summed (all-reduce)."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return _all_reduce(grad.contiguous().clone())


class _ReduceFromParallel(torch.autograd.Function):
    """g: forward, the partial results of every rank are summed (all-reduce); identity backward."""

    @staticmethod
    def forward(ctx, x):
        return _all_reduce(x.contiguous().clone())

    @staticmethod
    def backward(ctx, grad):
        return grad


def copy_to_parallel(x: torch.Tensor) -> torch.Tensor:
    """Enter a tensor-parallel region: every rank uses the full x; gradients are summed on the way back."""
    check_tensor("x", x, floating=True)
    return _CopyToParallel.apply(x)


def reduce_from_parallel(x: torch.Tensor) -> torch.Tensor:
    """Leave a tensor-parallel region: sum the ranks' partial outputs."""
    check_tensor("x", x, floating=True)
    return _ReduceFromParallel.apply(x)


def _check_split(name: str, size: int, world: int) -> None:
    if size % world:
        raise ValueError(f"{name} ({size}) must be divisible by the number of processes ({world})")


def _check_shard(full: nn.Linear, rank: int, world: int, split: str) -> None:
    """A linear layer to cut into `world` blocks along `split` ("out_features" or "in_features")."""
    if not isinstance(full, nn.Linear):
        raise TypeError(f"full must be an nn.Linear, got {type(full).__name__}")
    check_int("world", world, minimum=1)
    check_int("rank", rank, minimum=0, maximum=world - 1)
    _check_split(split, getattr(full, split), world)


class ColumnParallelLinear(nn.Module):
    """This rank's block of output rows of `full` (an nn.Linear): y_local = x · W[rows]ᵀ + b[rows]."""

    def __init__(self, full: nn.Linear, rank: int, world: int):
        super().__init__()
        _check_shard(full, rank, world, "out_features")
        self.weight = nn.Parameter(full.weight.detach().chunk(world, 0)[rank].clone())
        self.bias = None if full.bias is None else nn.Parameter(full.bias.detach().chunk(world)[rank].clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x [..., in_features] (the full input) -> [..., out_features / world] (this rank's slice)."""
        check_tensor("x", x, min_ndim=1, last_dim=self.weight.shape[1], floating=True, shape_hint="[..., in_features]")
        return F.linear(x, self.weight, self.bias)


class RowParallelLinear(nn.Module):
    """This rank's block of input columns of `full`: partial = x_local · W[:, cols]ᵀ, summed over ranks, + b."""

    def __init__(self, full: nn.Linear, rank: int, world: int):
        super().__init__()
        _check_shard(full, rank, world, "in_features")
        self.weight = nn.Parameter(full.weight.detach().chunk(world, 1)[rank].clone())
        self.bias = None if full.bias is None else nn.Parameter(full.bias.detach().clone())  # added once, after the sum

    def forward(self, x_local: torch.Tensor) -> torch.Tensor:
        """x_local [..., in_features / world] (this rank's slice) -> [..., out_features] (the full output)."""
        check_tensor("x_local", x_local, min_ndim=1, last_dim=self.weight.shape[1], floating=True,
                     shape_hint="[..., in_features / world]")
        y = reduce_from_parallel(F.linear(x_local, self.weight))
        return y if self.bias is None else y + self.bias


class TensorParallelMLP(nn.Module):
    """The library's FeedForward split over `world` ranks: column-parallel W1, row-parallel W2."""

    def __init__(self, ff: FeedForward, rank: int, world: int):
        super().__init__()
        if not isinstance(ff, FeedForward):
            raise TypeError(f"ff must be a bigmodel_lib.layers.FeedForward, got {type(ff).__name__}")
        self.linear1 = ColumnParallelLinear(ff.linear1, rank, world)   # d -> d_ff/world hidden units
        self.linear2 = RowParallelLinear(ff.linear2, rank, world)      # d_ff/world -> d, then all-reduce
        self.act = ff.act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x [..., d_model] -> [..., d_model], equal to the unsplit FeedForward's output on every rank."""
        check_tensor("x", x, min_ndim=1, last_dim=self.linear1.weight.shape[1], floating=True,
                     shape_hint="[..., d_model]")
        x = copy_to_parallel(x)
        return self.linear2(self.act(self.linear1(x)))


class TensorParallelAttention(nn.Module):
    """The library's MultiHeadAttention (self-attention) with its heads split over `world` ranks."""

    def __init__(self, mha: MultiHeadAttention, rank: int, world: int):
        super().__init__()
        if not isinstance(mha, MultiHeadAttention):
            raise TypeError(f"mha must be a bigmodel_lib.attention.MultiHeadAttention, got {type(mha).__name__}")
        check_int("world", world, minimum=1)
        check_int("rank", rank, minimum=0, maximum=world - 1)
        _check_split("n_heads", mha.n_heads, world)
        d, local = mha.d_model, mha.d_model // world
        self.n_heads, self.head_dim = mha.n_heads // world, mha.head_dim
        # rows of q, k and v that belong to this rank's heads (heads are contiguous blocks of head_dim rows)
        rows = torch.cat([torch.arange(local) + j * d + rank * local for j in range(3)])
        w, b = mha.in_proj.weight.detach(), mha.in_proj.bias
        self.in_weight = nn.Parameter(w[rows].clone())
        self.in_bias = None if b is None else nn.Parameter(b.detach()[rows].clone())
        self.out_proj = RowParallelLinear(mha.out_proj, rank, world)

    def forward(self, x: torch.Tensor, is_causal: bool = False) -> torch.Tensor:
        """x [B, T, d_model] -> [B, T, d_model], equal to the unsplit self-attention's output on every rank."""
        check_tensor("x", x, ndim=3, last_dim=self.in_weight.shape[1], floating=True,
                     shape_hint="[batch, time, d_model]")
        x = copy_to_parallel(x)
        q, k, v = F.linear(x, self.in_weight, self.in_bias).chunk(3, dim=-1)
        q, k, v = (t.unflatten(-1, (self.n_heads, self.head_dim)).transpose(1, 2) for t in (q, k, v))
        out = F.scaled_dot_product_attention(q, k, v, is_causal=is_causal)
        return self.out_proj(out.transpose(1, 2).flatten(2))


# ------------------------------------------------------------------ the check, as a torchrun script
def _grad_pairs(full_mlp, tp_mlp, full_attn, tp_attn, rank, world):
    """(name, this rank's gradient, the matching slice of the one-process gradient) for every shard."""
    d, local = full_attn.d_model, full_attn.d_model // world
    rows = torch.cat([torch.arange(local) + j * d + rank * local for j in range(3)])
    return [
        ("mlp.linear1.weight", tp_mlp.linear1.weight.grad, full_mlp.linear1.weight.grad.chunk(world, 0)[rank]),
        ("mlp.linear1.bias", tp_mlp.linear1.bias.grad, full_mlp.linear1.bias.grad.chunk(world)[rank]),
        ("mlp.linear2.weight", tp_mlp.linear2.weight.grad, full_mlp.linear2.weight.grad.chunk(world, 1)[rank]),
        ("mlp.linear2.bias", tp_mlp.linear2.bias.grad, full_mlp.linear2.bias.grad),
        ("attn.in_proj.weight", tp_attn.in_weight.grad, full_attn.in_proj.weight.grad[rows]),
        ("attn.in_proj.bias", tp_attn.in_bias.grad, full_attn.in_proj.bias.grad[rows]),
        ("attn.out_proj.weight", tp_attn.out_proj.weight.grad, full_attn.out_proj.weight.grad.chunk(world, 1)[rank]),
    ]


def check_against_one_process(d_model: int = 32, n_heads: int = 4, seq: int = 6, batch: int = 3,
                              seed: int = 0) -> dict:
    """Build the same attention + MLP sub-block on every rank, run it whole and split; return the differences.

    The block is y = x + attn(x) followed by z = y + mlp(y), causal attention; loss = sum(z · r) with a
    fixed random r, so every output element gets its own gradient.
    """
    check_int("d_model", d_model, minimum=1)
    check_int("n_heads", n_heads, minimum=1)
    check_int("seq", seq, minimum=1)
    check_int("batch", batch, minimum=1)
    rank, world = _group()
    _check_split("n_heads", n_heads, world)
    if d_model % n_heads:
        raise ValueError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
    torch.manual_seed(seed)
    attn, mlp = MultiHeadAttention(d_model, n_heads), FeedForward(d_model, 4 * d_model, activation="gelu")
    x = torch.randn(batch, seq, d_model)
    r = torch.randn(batch, seq, d_model)

    def run(a, m):
        xi = x.clone().requires_grad_(True)
        y = xi + (a(xi, is_causal=True)[0] if isinstance(a, MultiHeadAttention) else a(xi, is_causal=True))
        z = y + m(y)
        (z * r).sum().backward()
        return z.detach(), xi.grad

    z_full, gx_full = run(attn, mlp)
    tp_attn, tp_mlp = TensorParallelAttention(attn, rank, world), TensorParallelMLP(mlp, rank, world)
    COMM.update(all_reduce=0, elements=0)
    z_tp, gx_tp = run(tp_attn, tp_mlp)
    pairs = _grad_pairs(mlp, tp_mlp, attn, tp_attn, rank, world)
    grads = {name: float((g - ref).abs().max()) for name, g, ref in pairs}
    local = sum(p.numel() for p in list(tp_attn.parameters()) + list(tp_mlp.parameters()))
    full = sum(p.numel() for p in list(attn.parameters()) + list(mlp.parameters()))
    return {"rank": rank, "world": world, "output_max_diff": float((z_tp - z_full).abs().max()),
            "input_grad_max_diff": float((gx_tp - gx_full).abs().max()), "grad_max_diff": grads,
            "all_reduces_forward_and_backward": COMM["all_reduce"], "local_params": local, "full_params": full}


def main(argv: list[str] | None = None) -> int:
    """Join torchrun's group (gloo), run the check on every rank, and let rank 0 write all ranks' results."""
    if argv is not None and (not isinstance(argv, list) or not all(isinstance(a, str) for a in argv)):
        raise TypeError(f"argv must be a list of str (command-line words), got {argv!r}")
    p = argparse.ArgumentParser(prog="python -m bigmodel_lib.tensor_parallel", description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="JSON file that rank 0 writes")
    p.add_argument("--d-model", type=int, default=32)
    p.add_argument("--n-heads", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        dist.init_process_group("gloo")
    rank, world = _group()
    result = check_against_one_process(args.d_model, args.n_heads, seed=args.seed)
    gathered = [None] * world
    if world > 1:
        dist.all_gather_object(gathered, result)
    else:
        gathered = [result]
    if rank == 0:
        Path(args.out).write_text(json.dumps({"world": world, "ranks": gathered}))
    if world > 1:
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
