"""Data-parallel training of the library's GPT, as a script that torchrun launches (chapter 09).

    python -m torch.distributed.run --standalone --nproc_per_node 2 -m bigmodel_lib.distributed --out r.json
    python -m bigmodel_lib.distributed --out r.json          # the same run in one plain process

Every process builds the same model from the same seed; `train.train` wraps it in DDP when a process
group exists. `--fsdp` instead shards the model with FSDP2 (`fully_shard`, ZeRO-3 style) and trains it
with a plain loop. Rank 0 writes the per-step losses, timing and per-rank memory facts as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

import torch
import torch.distributed as dist

from .data import char_corpus
from .models import GPT, GPTConfig, count_parameters
from .train import TrainConfig, lr_at, make_optimizer, train


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options: model shape, data, steps, and where rank 0 writes its JSON."""
    if argv is not None and (not isinstance(argv, list) or not all(isinstance(a, str) for a in argv)):
        raise TypeError(f"argv must be a list of str (command-line words), got {argv!r}")
    p = argparse.ArgumentParser(prog="python -m bigmodel_lib.distributed", description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="JSON file that rank 0 writes")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=16, help="GLOBAL batch per micro-step (split over ranks)")
    p.add_argument("--accum-steps", type=int, default=1)
    p.add_argument("--block-size", type=int, default=64)
    p.add_argument("--n-layer", type=int, default=2)
    p.add_argument("--n-head", type=int, default=4)
    p.add_argument("--d-model", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--max-chars", type=int, default=None, help="use only the corpus's first N characters")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu, or cuda (each rank takes cuda:LOCAL_RANK)")
    p.add_argument("--fsdp", action="store_true", help="shard with FSDP2 fully_shard instead of DDP")
    args = p.parse_args(argv)
    for name in ("steps", "batch_size", "accum_steps", "block_size", "n_layer", "n_head", "d_model"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")
    if args.device not in ("cpu", "cuda"):
        p.error(f"--device must be cpu or cuda, got {args.device!r}")
    return args


def init_process_group(device: str) -> tuple[int, int, str]:
    """Join the group torchrun describes in the environment (nccl on CUDA, gloo on CPU); no-op without it."""
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    if "WORLD_SIZE" not in os.environ or int(os.environ["WORLD_SIZE"]) == 1:
        return 0, 1, "none"
    backend = "nccl" if device == "cuda" else "gloo"
    if device == "cuda":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))  # one GPU per process
    dist.init_process_group(backend)
    return dist.get_rank(), dist.get_world_size(), backend


def build(args: argparse.Namespace) -> tuple[GPT, object]:
    """The same GPT (same seed, hence the same initial weights) and data on every rank."""
    if not isinstance(args, argparse.Namespace):
        raise TypeError(f"args must be the argparse.Namespace that parse_args() returns, got {type(args).__name__}")
    tok, data = char_corpus(block_size=args.block_size, batch_size=args.batch_size, max_chars=args.max_chars)
    torch.manual_seed(args.seed)
    model = GPT(GPTConfig(vocab_size=tok.vocab_size, block_size=args.block_size, n_layer=args.n_layer,
                          n_head=args.n_head, d_model=args.d_model, dropout=0.0))
    return model, data


ZERO_STAGES = {
    0: "nothing (plain DDP: every device holds all 16 bytes per parameter)",
    1: "optimizer states (fp32 master weights, Adam m and v: 12 bytes per parameter)",
    2: "optimizer states and gradients",
    3: "optimizer states, gradients and the parameters themselves (FSDP's FULL_SHARD)",
}


def zero_model_state_bytes(n_params: float, n_devices: int, stage: int) -> float:
    """Bytes of model states per device for mixed-precision Adam under ZeRO stage 0-3.

    16 bytes per parameter (ZeRO, Rajbhandari et al., arXiv:1910.02054): 2 for bf16/fp16 weights,
    2 for their gradients, 12 for the optimizer (fp32 master copy, m, v). Stage k shards, over
    n_devices, the optimizer (k>=1), then the gradients (k>=2), then the weights (k=3).
    Activations and temporary buffers are not included.
    """
    if isinstance(n_params, bool) or not isinstance(n_params, (int, float)) or n_params < 0:
        raise ValueError(f"n_params must be a number >= 0, got {n_params!r}")
    if isinstance(n_devices, bool) or not isinstance(n_devices, int) or n_devices < 1:
        raise ValueError(f"n_devices must be an int >= 1, got {n_devices!r}")
    if stage not in ZERO_STAGES:
        raise ValueError(f"stage must be one of {sorted(ZERO_STAGES)}, got {stage!r}")
    weights, grads, optim = 2.0, 2.0, 12.0
    if stage >= 1:
        optim /= n_devices
    if stage >= 2:
        grads /= n_devices
    if stage >= 3:
        weights /= n_devices
    return n_params * (weights + grads + optim)


def _local_numel(t: torch.Tensor) -> int:
    """Elements this rank stores: the local shard of a DTensor (FSDP2), the whole tensor otherwise."""
    return t.to_local().numel() if hasattr(t, "to_local") else t.numel()


def run_fsdp(model: GPT, data, cfg: TrainConfig, device: torch.device, rank: int, world: int) -> dict:
    """Shard every block and then the root with FSDP2 and train with the loop's own AdamW and LR schedule.

    Same global batch, same slicing as train.train, so the losses can be compared with DDP's.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a bigmodel_lib.models.GPT, got {type(model).__name__}")
    from torch.distributed.fsdp import fully_shard
    model.to(device)
    for block in model.blocks:
        fully_shard(block)
    fully_shard(model)
    opt = make_optimizer(model, cfg)
    gen = torch.Generator().manual_seed(cfg.seed)
    losses, t0 = [], time.perf_counter()
    for step in range(cfg.steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, cfg)
        x, y = (t.chunk(world)[rank].to(device) for t in data.get_batch("train", gen))
        loss = model(x, y)[1]
        loss.backward()
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        opt.zero_grad(set_to_none=True)
        value = loss.detach().clone()
        dist.all_reduce(value)
        losses.append(value.item() / world)
    seconds = time.perf_counter() - t0
    state = sum(_local_numel(s) for st in opt.state.values() for s in st.values() if torch.is_tensor(s) and s.ndim)
    return {"train_loss": losses, "seconds": seconds,
            "local_param_numel": sum(_local_numel(p) for p in model.parameters()),
            "local_optimizer_state_numel": state}


def launch(module: str, args: list[str], out: str | os.PathLike, nproc: int = 2, timeout: float = 600) -> dict:
    """Run `python -m MODULE ARGS --out OUT` under torchrun (one machine, `nproc` workers, one thread each) in a
    subprocess, from OUT's folder, and return the JSON that rank 0 wrote, plus "launch_wall_s".

    A notebook kernel cannot be a torchrun worker itself, so chapter 09 starts its runs through this.
    """
    if not isinstance(module, str) or not module.replace(".", "").replace("_", "").isalnum():
        raise TypeError(f"module must be a dotted module name such as 'bigmodel_lib.pipeline', got {module!r}")
    if not isinstance(args, (list, tuple)) or not all(isinstance(a, str) for a in args):
        raise TypeError(f"args must be a list of str (command-line words), got {args!r}")
    if isinstance(nproc, bool) or not isinstance(nproc, int) or nproc < 1:
        raise ValueError(f"nproc must be an int >= 1, got {nproc!r}")
    out = Path(out)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(nproc),
           "-m", module, *args, "--out", str(out)]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=out.parent)
    wall = time.perf_counter() - t0
    if not out.exists():
        raise RuntimeError(f"torchrun failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(out.read_text())
    result["launch_wall_s"] = wall
    return result


def main(argv: list[str] | None = None) -> int:
    """Train once (DDP, FSDP or a single process) and let rank 0 write the JSON named by --out."""
    if argv is not None and (not isinstance(argv, list) or not all(isinstance(a, str) for a in argv)):
        raise TypeError(f"argv must be a list of str (command-line words), got {argv!r}")
    args = parse_args(argv)
    rank, world, backend = init_process_group(args.device)
    if args.device == "cuda":
        device = torch.device("cuda", torch.cuda.current_device())
    else:
        device = torch.device("cpu")
    model, data = build(args)
    n_params = count_parameters(model)
    cfg = TrainConfig(steps=args.steps, lr=args.lr, accum_steps=args.accum_steps, seed=args.seed,
                      device=str(device), eval_batches=2, progress=False)
    result = {"world_size": world, "backend": backend, "mode": "fsdp" if args.fsdp else ("ddp" if world > 1 else
              "single"), "n_params": n_params, "threads": torch.get_num_threads(),
              "global_batch": args.batch_size * args.accum_steps, "block_size": args.block_size}
    try:
        if args.fsdp:
            if world == 1:
                raise RuntimeError("--fsdp needs torchrun with at least 2 processes")
            out = run_fsdp(model, data, cfg, device, rank, world)
            out["tokens"] = args.steps * args.batch_size * args.block_size
        else:
            hist = train(model, data, cfg)
            out = {"train_loss": hist.train_loss, "val_loss": hist.final_val_loss, "seconds": hist.seconds,
                   "tokens": hist.tokens, "local_param_numel": n_params}
        out["tokens_per_s"] = out["tokens"] / out["seconds"]
        result.update(out, ok=True)
    except Exception as e:  # report the failure (e.g. FSDP on a backend that lacks a collective) instead of hiding it
        result.update(ok=False, error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc(limit=3))
    gathered = [None] * world
    if world > 1:
        dist.all_gather_object(gathered, {"rank": rank, "local_param_numel": result.get("local_param_numel"),
                                          "local_optimizer_state_numel": result.get("local_optimizer_state_numel")})
    result["per_rank"] = gathered if world > 1 else None
    if rank == 0:
        Path(args.out).write_text(json.dumps(result))
    if world > 1:
        dist.destroy_process_group()
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
