"""One training loop for every chapter: AdamW, warmup + cosine LR, clipping, accumulation, eval,
progress bar, atomic checkpoints with exact resume, NaN guard, bf16 on CUDA, and DDP awareness.

The model's forward returns (logits, loss); the data object has get_batch(split, generator).
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
import torch.distributed as dist
import torch.nn as nn

from .checks import check_float, check_int
from .device import autocast, pick_device


@dataclass
class TrainConfig:
    """Everything the loop needs besides the model and the data. Defaults suit a small CPU run."""
    steps: int = 500
    lr: float = 3e-3
    min_lr: float | None = None        # end of the cosine; default lr / 10
    warmup_steps: int | None = None    # default: 10% of steps, at most 100
    weight_decay: float = 0.01
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float = 1.0             # max global grad norm; 0 turns clipping off
    accum_steps: int = 1               # micro-batches per optimizer step
    eval_every: int = 0                # 0: evaluate only at the end
    eval_batches: int = 10
    checkpoint_path: str | None = None
    checkpoint_every: int = 0          # 0: only at the end (and on interrupt) when a path is set
    device: str = "auto"
    amp: bool = True                   # bf16 autocast on CUDA; never on CPU (keeps CPU runs exact)
    seed: int = 0
    progress: bool = True
    desc: str = "train"
    compile: bool = False              # opt-in torch.compile of the model: pays on GPUs, compiling takes minutes

    def __post_init__(self):
        check_int("steps", self.steps, minimum=1)
        check_float("lr", self.lr, minimum=0.0, exclusive_min=True)
        if self.min_lr is not None:
            check_float("min_lr", self.min_lr, minimum=0.0, maximum=self.lr)
        if self.warmup_steps is not None:
            check_int("warmup_steps", self.warmup_steps, minimum=0)
        check_float("weight_decay", self.weight_decay, minimum=0.0)
        check_float("grad_clip", self.grad_clip, minimum=0.0)
        check_int("accum_steps", self.accum_steps, minimum=1)
        check_int("eval_every", self.eval_every, minimum=0)
        check_int("eval_batches", self.eval_batches, minimum=1)
        check_int("checkpoint_every", self.checkpoint_every, minimum=0)
        check_int("seed", self.seed, minimum=0)
        if not isinstance(self.compile, bool):
            raise TypeError(f"compile must be a bool, got {type(self.compile).__name__}")

    @property
    def warmup(self) -> int:
        return min(100, self.steps // 10) if self.warmup_steps is None else self.warmup_steps


def _check_cfg(cfg) -> None:
    if not isinstance(cfg, TrainConfig):
        raise TypeError(f"cfg must be a TrainConfig, got {type(cfg).__name__}")


def _check_model(model) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")


def lr_at(step: int, cfg: TrainConfig) -> float:
    """The learning rate of optimizer step `step` (0 .. cfg.steps - 1).

    Linear warmup over the first cfg.warmup steps up to cfg.lr, then a cosine from cfg.lr at step
    cfg.warmup down to min_lr at the last step, cfg.steps - 1 (a run whose only step after the
    warmup is its last one takes that step at min_lr).
    """
    check_int("step", step, minimum=0)
    _check_cfg(cfg)
    min_lr = cfg.lr / 10 if cfg.min_lr is None else cfg.min_lr
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    decay_steps = cfg.steps - 1 - cfg.warmup        # steps after the first post-warmup one
    progress = 1.0 if decay_steps <= 0 else min(1.0, (step - cfg.warmup) / decay_steps)
    return min_lr + 0.5 * (cfg.lr - min_lr) * (1 + math.cos(math.pi * progress))


@dataclass
class History:
    """What a run returns: per-step train loss and LR, (step, loss) pairs for validation, and timing."""
    step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    val_step: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    tokens: int = 0
    interrupted: bool = False

    def __post_init__(self):
        check_int("tokens", self.tokens, minimum=0)

    @property
    def final_val_loss(self) -> float:
        return self.val_loss[-1] if self.val_loss else float("nan")

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _dist() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _shard(batch: tuple[torch.Tensor, ...], rank: int, world: int) -> tuple[torch.Tensor, ...]:
    """Each DDP rank takes its contiguous slice of the same global batch (same generator on every rank)."""
    if world == 1:
        return batch
    n = batch[0].shape[0]
    if n % world:
        raise ValueError(f"global batch size {n} must be divisible by the number of processes ({world})")
    return tuple(t.chunk(world)[rank] for t in batch)


def default_loss(model: nn.Module, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
    """Models in this library return (logits, loss) when given their targets."""
    if not isinstance(batch, (tuple, list)):
        raise TypeError(f"batch must be a tuple of tensors (inputs..., targets), got {type(batch).__name__}")
    return model(*batch)[1]


def save_checkpoint(path: str | os.PathLike, state: dict) -> None:
    """Write to a temporary file, flush it to disk, then rename: a killed process never leaves half a file."""
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict, got {type(state).__name__}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Load a checkpoint with weights_only=True; a missing, truncated or foreign file is a clear error."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint_path {str(path)!r} does not exist")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # truncated zip, pickle of foreign objects, random bytes...
        raise ValueError(f"checkpoint {str(path)!r} could not be read ({type(e).__name__}); it is truncated, "
                         f"corrupt or not a bigmodel_lib checkpoint") from None
    if not isinstance(state, dict) or state.get("format") != "bigmodel_lib/1":
        raise ValueError(f"checkpoint {str(path)!r} is not a bigmodel_lib checkpoint (no 'format' key)")
    return state


def _non_finite(state: dict, prefix: str = "") -> list[str]:
    """Names of the floating-point tensors in a (nested) checkpoint dict that hold a NaN or an inf."""
    found = []
    for key, value in state.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            found += _non_finite(value, name + ".")
        elif isinstance(value, torch.Tensor) and value.is_floating_point() and not bool(torch.isfinite(value).all()):
            found.append(name)
    return found


def _grad_norm(params: list[nn.Parameter]) -> torch.Tensor:
    """The global L2 norm of the gradients (what clip_grad_norm_ computes and returns), without clipping."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())
    if hasattr(torch.nn.utils, "get_total_norm"):          # torch >= 2.6
        return torch.nn.utils.get_total_norm(grads)
    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g.detach()) for g in grads]))


def _unwrap(model: nn.Module) -> nn.Module:
    return model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (not on biases, norms); fused kernel where available."""
    _check_model(model)
    _check_cfg(cfg)
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    kwargs = dict(lr=cfg.lr, betas=(cfg.beta1, cfg.beta2))
    try:
        return torch.optim.AdamW(groups, fused=True, **kwargs)
    except (RuntimeError, TypeError):
        return torch.optim.AdamW(groups, foreach=True, **kwargs)


@torch.no_grad()
def evaluate(model: nn.Module, data, cfg: TrainConfig, device: torch.device,
             loss_fn: Callable = default_loss, split: str = "val") -> float:
    """Mean loss over cfg.eval_batches batches of `split`; the same batches at every call (fixed seed)."""
    _check_model(model)
    _check_cfg(cfg)
    rank, world = _dist()
    was_training = model.training
    model.eval()
    try:
        g = torch.Generator().manual_seed(cfg.seed + 1)
        total = 0.0
        for _ in range(cfg.eval_batches):
            batch = tuple(t.to(device) for t in _shard(data.get_batch(split, g), rank, world))
            with autocast(device, cfg.amp):
                loss = loss_fn(_unwrap(model), batch).float()
            if world > 1:
                dist.all_reduce(loss)
                loss /= world
            total += loss.item()
        return total / cfg.eval_batches
    finally:
        model.train(was_training)


def train(model: nn.Module, data, cfg: TrainConfig | None = None, loss_fn: Callable = default_loss,
          resume: bool = False) -> History:
    """Train `model` on `data` for cfg.steps optimizer steps and return the History.

    resume=True continues from cfg.checkpoint_path (model, optimizer, RNG and data streams, history)
    and reproduces the uninterrupted run exactly on CPU. Under torch.distributed (torchrun) the
    model is wrapped in DDP, each rank trains on its slice of the global batch, and only rank 0
    shows progress and writes checkpoints.
    """
    cfg = cfg or TrainConfig()
    _check_cfg(cfg)
    _check_model(model)
    if not callable(getattr(data, "get_batch", None)):
        raise TypeError("data must have a get_batch(split, generator) method (see bigmodel_lib.data)")
    if resume and not cfg.checkpoint_path:
        raise ValueError("resume=True needs cfg.checkpoint_path")
    rank, world = _dist()
    device = pick_device(cfg.device)
    if world > 1 and device.type == "cuda" and device.index is None:  # torchrun: one GPU per process, not all on 0
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", torch.cuda.current_device())))
    model.to(device)
    opt = make_optimizer(model, cfg)
    gen = torch.Generator().manual_seed(cfg.seed)
    hist, start = History(), 0
    if resume:
        state = load_checkpoint(cfg.checkpoint_path)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        gen.set_state(state["data_rng"])
        torch.set_rng_state(state["torch_rng"])
        hist = History(**state["history"])
        hist.interrupted = False
        start = int(state["step"])
    net = model
    if world > 1:
        net = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    if cfg.compile:
        net = torch.compile(net)  # fuses elementwise ops around the matmuls; checkpoints still save `model`

    saved = {"step": start if resume else None}   # the step of the last checkpoint on disk

    def checkpoint(step: int) -> None:
        if cfg.checkpoint_path and rank == 0:
            state = {"format": "bigmodel_lib/1", "step": step, "model": _unwrap(model).state_dict(),
                     "optimizer": opt.state_dict(), "data_rng": gen.get_state(), "torch_rng": torch.get_rng_state(),
                     "history": hist.as_dict()}
            bad = _non_finite({"model": state["model"], "optimizer": state["optimizer"]["state"]})
            if bad:   # never replace a good file with one that cannot be resumed
                kept = "" if saved["step"] is None else \
                    f"; {cfg.checkpoint_path!r} still holds step {saved['step']}"
                raise FloatingPointError(f"not writing the checkpoint of step {step}: {', '.join(bad[:5])} "
                                         f"hold NaN or inf{kept}")
            save_checkpoint(cfg.checkpoint_path, state)
            saved["step"] = step

    bar = None
    if cfg.progress and rank == 0:
        from tqdm.auto import tqdm
        bar = tqdm(total=cfg.steps, initial=start, desc=cfg.desc, leave=True)
    # Ctrl-C (or Jupyter's interrupt button) sets a flag; the loop stops at the next step boundary,
    # so the checkpoint it writes is a consistent state that resumes exactly.
    stop = {"requested": False}
    old_handler = None
    if threading.current_thread() is threading.main_thread():
        old_handler = signal.signal(signal.SIGINT, lambda *_: stop.update(requested=True))
    net.train()
    t0 = time.perf_counter() - hist.seconds
    step = start
    rng_at_step = None
    params = [p for p in model.parameters() if p.requires_grad]
    try:
        while step < cfg.steps:
            if stop["requested"]:
                raise KeyboardInterrupt
            # restored if this step is interrupted: its random draws and the tokens it counted
            rng_at_step = (gen.get_state(), torch.get_rng_state(), hist.tokens)
            lr = lr_at(step, cfg)
            for group in opt.param_groups:
                group["lr"] = lr
            loss_sum = torch.zeros((), device=device)
            for micro in range(cfg.accum_steps):
                shard = _shard(data.get_batch("train", gen), rank, world)
                batch = tuple(t.to(device, non_blocking=True) for t in shard)
                sync = micro == cfg.accum_steps - 1 or world == 1
                ctx = net.no_sync() if not sync else contextlib.nullcontext()
                with ctx:
                    with autocast(device, cfg.amp):   # the forward pass and the loss only (PyTorch AMP guidance)
                        loss = loss_fn(net, batch) / cfg.accum_steps
                    loss.backward()
                loss_sum += loss.detach().float()
                hist.tokens += batch[0].numel() * world
            if world > 1:
                dist.all_reduce(loss_sum)
                loss_sum /= world
            # the global gradient norm (clip_grad_norm_ returns it) and the loss, read in one host sync:
            # a step whose loss or gradients are not finite must not reach the weights
            grad_norm = torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip) if cfg.grad_clip > 0 \
                else _grad_norm(params)
            value, norm = torch.stack([loss_sum, grad_norm.float().to(loss_sum.device)]).tolist()
            if not (math.isfinite(value) and math.isfinite(norm)):
                opt.zero_grad(set_to_none=True)
                what = f"loss became {value}" if not math.isfinite(value) else \
                    f"gradients became non-finite (global norm {norm}) while the loss was finite ({value:.4g})"
                where = f"; the last checkpoint, {cfg.checkpoint_path!r}, holds step {saved['step']}" \
                    if saved["step"] is not None else ""
                raise FloatingPointError(
                    f"{what} at step {step} (lr {lr:.3g}); this step did not update the weights{where}. "
                    f"Try a lower lr, grad_clip > 0, a longer warmup, or check the data for bad values.")
            opt.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            rng_at_step = None
            hist.step.append(step)
            hist.train_loss.append(value)
            hist.lr.append(lr)
            if (cfg.eval_every and step % cfg.eval_every == 0) or step == cfg.steps:
                hist.val_step.append(step)
                hist.val_loss.append(evaluate(net, data, cfg, device, loss_fn))
            hist.seconds = time.perf_counter() - t0
            if bar is not None:
                post = {"loss": f"{value:.3f}"}
                if hist.val_loss:
                    post["val"] = f"{hist.val_loss[-1]:.3f}"
                bar.set_postfix(post, refresh=False)
                bar.update(1)
            if cfg.checkpoint_every and step % cfg.checkpoint_every == 0 and step < cfg.steps:
                checkpoint(step)
    except KeyboardInterrupt:
        if rng_at_step is not None:   # interrupted inside a step: rewind its draws and tokens, drop its grads
            gen.set_state(rng_at_step[0])
            torch.set_rng_state(rng_at_step[1])
            hist.tokens = rng_at_step[2]
            opt.zero_grad(set_to_none=True)
        hist.interrupted = True
        hist.seconds = time.perf_counter() - t0
        checkpoint(step)
        if rank == 0:
            where = f"; checkpoint saved to {cfg.checkpoint_path!r}, continue with resume=True" \
                if cfg.checkpoint_path else ""
            print(f"Training interrupted after step {step}{where}.")
        return hist
    finally:
        if old_handler is not None:
            signal.signal(signal.SIGINT, old_handler)
        if bar is not None:
            bar.close()
    checkpoint(step)
    return hist
