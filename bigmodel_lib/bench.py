"""`bigmodel bench`: how fast is the library on this machine, next to torch's own modules?

Every comparison runs both sides interleaved in one process (A B, then B A, round after round, after a
warm-up) and reports the median time of each side and their ratio; on a shared, noisy machine ratios
measured this way mean something, absolute times much less. Utilisation divides the achieved FLOP/s
of a GPT train step (6·N + 12·L·d·T per token, see compute.gpt_flops_per_token) by the matmul peak
measured in the same rounds.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import MultiHeadAttention, causal_mask, scaled_dot_product_attention
from .checks import check_int
from .compute import GPUS, gpt_flops_per_token, matmul_flops, measure_peak
from .device import autocast, pick_device
from .layers import EncoderLayer, copy_from_torch
from .models import GPT, GPTConfig
from .train import TrainConfig, make_optimizer

# Dense (no 2:4 sparsity) bf16 tensor-core peaks in FLOP/s, matched against the CUDA device name (most specific
# first). The SXM cards' figures are compute.GPUS (one copy of each fact); the H100's PCIe and NVL cards run at
# lower clocks (756e12 and 835e12 dense, half the datasheet's sparsity figures): data/references.md#nvidia-h100.
KNOWN_GPU_BF16_PEAK = (("H200", GPUS["H200"]["peak_flops"]), ("H100 PCIe", 756e12), ("H100 NVL", 835e12),
                       ("H100", GPUS["H100"]["peak_flops"]), ("A100", GPUS["A100"]["peak_flops"]))

# The targets (CPU, fp32), each a ratio measured in one run.
TARGETS = {"attention_ratio_max": 1.05, "layer_ratio_max": 1.05, "util_small_min": 0.45,
           "util_medium_min": 0.65, "kv_speedup_256_min": 3.0, "course_minutes_max": 15.0}

# name: (n_layer, n_head, d_model, block_size, batch, vocab)
TRAIN_SHAPES = {"small": (4, 4, 128, 64, 12, 65), "medium": (6, 6, 384, 256, 8, 65),
                "gpt2-small": (12, 12, 768, 1024, 8, 50304)}
QUICK_SHAPE = (2, 2, 32, 16, 2, 65)


def known_gpu_peak(name: str) -> tuple[str, float] | None:
    """(table key, dense bf16 FLOP/s) for a CUDA device name such as 'NVIDIA H100 80GB HBM3', or None."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str (a CUDA device name), got {type(name).__name__}")
    upper = name.upper()
    for key, peak in KNOWN_GPU_BF16_PEAK:
        if all(part in upper for part in key.upper().split()):
            return key, peak
    return None


def cpu_name() -> str:
    """The processor's model name from /proc/cpuinfo where there is one, else platform's guess."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = time.perf_counter  # set by main from --clock


def _sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def interleave(sides: dict[str, Callable[[], object]], dev: torch.device, rounds: int, warmup: int = 1,
               min_time: float = 0.05) -> dict[str, list[float]]:
    """Seconds per call of each side, one sample per round, the sides alternating in order each round.

    Each sample repeats a call enough times to last about `min_time` seconds (calibrated after warm-up).
    """
    if not isinstance(sides, dict) or not sides or not all(callable(f) for f in sides.values()):
        raise ValueError("sides must be a non-empty dict of name -> callable taking no arguments")
    check_int("rounds", rounds, minimum=1)
    check_int("warmup", warmup, minimum=0)
    for fn in sides.values():
        for _ in range(warmup):
            fn()
    _sync(dev)
    reps = dict.fromkeys(sides, 1)
    for name, fn in sides.items() if min_time > 0 else ():
        t0 = _clock()
        fn()
        _sync(dev)
        reps[name] = max(1, min(200, math.ceil(min_time / max(_clock() - t0, 1e-6))))
    names, times = list(sides), {name: [] for name in sides}
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            fn, n = sides[name], reps[name]
            _sync(dev)
            t0 = _clock()
            for _ in range(n):
                fn()
            _sync(dev)
            times[name].append((_clock() - t0) / n)
    return times


def _pair(times: dict[str, list[float]], lib: str, ref: str) -> dict:
    """Medians of both sides, their ratio, and the median of the per-round ratios."""
    a, b = times[lib], times[ref]
    return {"lib_ms": 1e3 * statistics.median(a), "ref_ms": 1e3 * statistics.median(b),
            "ratio": statistics.median(a) / statistics.median(b),
            "paired_ratio": statistics.median(x / y for x, y in zip(a, b)), "rounds": len(a)}


def _backward(out: torch.Tensor, grad: torch.Tensor) -> None:
    out.backward(grad if grad.dtype == out.dtype else grad.to(out.dtype))


def _check_attn_shape(shape) -> tuple[int, int, int, int]:
    if not isinstance(shape, (tuple, list)) or len(shape) != 4:
        raise ValueError(f"shape must be (batch, time, d_model, heads), got {shape!r}")
    for name, v in zip(("batch", "time", "d_model", "heads"), shape):
        check_int(f"shape's {name}", v, minimum=1)
    b, t, d, h = shape
    if d % h:
        raise ValueError(f"d_model ({d}) must be divisible by n_heads ({h})")
    return b, t, d, h


# ------------------------------------------------------------------------------------------ sections
def bench_attention(dev, shape, rounds, ctx, min_time) -> list[dict]:
    """MultiHeadAttention vs nn.MultiheadAttention, and the attention function vs F.sdpa, fwd+bwd."""
    b, t, d, h = _check_attn_shape(shape)
    lib = MultiHeadAttention(d, h).to(dev)
    ref = nn.MultiheadAttention(d, h, batch_first=True).to(dev)
    with torch.no_grad():
        ref.in_proj_weight.copy_(lib.in_proj.weight)
        ref.in_proj_bias.copy_(lib.in_proj.bias)
        ref.out_proj.load_state_dict(lib.out_proj.state_dict())
    x = torch.randn(b, t, d, device=dev, requires_grad=True)
    gx = torch.randn(b, t, d, device=dev)
    q, k, v = (torch.randn(b, h, t, d // h, device=dev, requires_grad=True) for _ in range(3))
    gq = torch.randn(b, h, t, d // h, device=dev)
    rows = []
    for causal in (False, True):
        mask = causal_mask(t, dev) if causal else None      # the library's convention: True = may attend
        torch_mask = None if mask is None else ~mask          # nn.MultiheadAttention's: True = blocked

        def mha_lib():
            with ctx():
                out, _ = lib(x, is_causal=causal)
            _backward(out, gx)
            x.grad = None
            lib.zero_grad(set_to_none=True)

        def mha_ref():
            with ctx():
                out, _ = ref(x, x, x, attn_mask=torch_mask, is_causal=causal, need_weights=False)
            _backward(out, gx)
            x.grad = None
            ref.zero_grad(set_to_none=True)

        def fn_lib():
            with ctx():
                out, _ = scaled_dot_product_attention(q, k, v, mask=mask)
            _backward(out, gq)
            q.grad = k.grad = v.grad = None

        def fn_ref():
            with ctx():
                out = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
            _backward(out, gq)
            q.grad = k.grad = v.grad = None

        tag = "causal" if causal else "full"
        times = interleave({"lib": mha_lib, "ref": mha_ref}, dev, rounds, min_time=min_time)
        rows.append({"case": f"MultiHeadAttention fwd+bwd {tag}", "ref": "nn.MultiheadAttention",
                     **_pair(times, "lib", "ref"), "target_max": TARGETS["attention_ratio_max"]})
        times = interleave({"lib": fn_lib, "ref": fn_ref}, dev, rounds, min_time=min_time)
        rows.append({"case": f"scaled_dot_product_attention fwd+bwd {tag}",
                     "ref": "F.scaled_dot_product_attention", **_pair(times, "lib", "ref"),
                     "target_max": None,
                     "note": "the library function materialises and returns the weights; no target"})
    for r in rows:
        r["shape"] = {"batch": b, "time": t, "d_model": d, "heads": h}
    return rows


def bench_layer(dev, shape, rounds, ctx, min_time) -> list[dict]:
    """EncoderLayer vs nn.TransformerEncoderLayer (pre-LN, dropout 0, same weights): fwd+bwd and inference."""
    b, t, d, h = _check_attn_shape(shape)
    ref = nn.TransformerEncoderLayer(d, h, 4 * d, dropout=0.0, norm_first=True, batch_first=True).to(dev)
    lib = copy_from_torch(EncoderLayer(d, h, 4 * d, dropout=0.0, norm_first=True).to(dev), ref)
    x = torch.randn(b, t, d, device=dev, requires_grad=True)
    gx = torch.randn(b, t, d, device=dev)

    def train_side(layer):
        def fn():
            with ctx():
                out = layer(x)
            _backward(out, gx)
            x.grad = None
            layer.zero_grad(set_to_none=True)
        return fn

    def infer_side(layer):
        def fn():
            with torch.no_grad(), ctx():
                layer(x.detach())
        return fn

    rows = []
    lib.train(), ref.train()
    times = interleave({"lib": train_side(lib), "ref": train_side(ref)}, dev, rounds, min_time=min_time)
    rows.append({"case": "EncoderLayer fwd+bwd", **_pair(times, "lib", "ref")})
    lib.eval(), ref.eval()
    times = interleave({"lib": infer_side(lib), "ref": infer_side(ref)}, dev, rounds, min_time=min_time)
    rows.append({"case": "EncoderLayer inference (no_grad)", **_pair(times, "lib", "ref"),
                 "note": "torch's side may take its native fast path (torch._transformer_encoder_layer_fwd)"})
    for r in rows:
        r.update(ref="nn.TransformerEncoderLayer", target_max=TARGETS["layer_ratio_max"],
                 shape={"batch": b, "time": t, "d_model": d, "heads": h})
    return rows


def _gpt(shape, dev) -> tuple[GPT, torch.Tensor, torch.Tensor]:
    n_layer, n_head, d, block, batch, vocab = shape
    model = GPT(GPTConfig(vocab_size=vocab, block_size=block, n_layer=n_layer, n_head=n_head, d_model=d)).to(dev)
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, vocab, (batch, block), generator=g).to(dev)
    y = torch.randint(0, vocab, (batch, block), generator=g).to(dev)
    return model, x, y


def train_step_fn(model: nn.Module, opt: torch.optim.Optimizer, x, y, dev, grad_clip: float = 1.0) -> Callable:
    """One step as train.train takes it: forward (autocast on CUDA), backward, clip, optimizer step."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    if not isinstance(opt, torch.optim.Optimizer):
        raise TypeError(f"opt must be a torch.optim.Optimizer, got {type(opt).__name__}")

    def step():
        with autocast(dev):
            _, loss = model(x, y)
        loss.backward()     # outside autocast, as train.train does
        if grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        opt.step()
        opt.zero_grad(set_to_none=True)
    return step


def bench_training(dev, shapes: dict, rounds, peak: dict, min_time, compile_model: bool = False) -> list[dict]:
    """Tokens/s and utilisation of the GPT train step; the peak matmul runs interleaved as the yardstick."""
    if not isinstance(shapes, dict) or not shapes:
        raise TypeError(f"shapes must be a dict of name -> (n_layer, n_head, d_model, block, batch, vocab), "
                        f"got {type(shapes).__name__}")
    dtype = getattr(torch, peak["dtype"])
    best = sorted((r for r in peak["table"] if r["dtype"] == peak["dtype"]), key=lambda r: -r["flops"])
    yard_sizes = sorted({r["size"] for r in best[:2]})

    def matmul_side(size):
        a = torch.randn(size, size, device=dev, dtype=dtype)
        bm = torch.randn(size, size, device=dev, dtype=dtype)
        reps = max(1, int(2e8 // matmul_flops(size, size, size)))

        def matmul():
            for _ in range(reps):
                a @ bm
        return matmul, matmul_flops(size, size, size) * reps
    yard = {f"matmul{size}": matmul_side(size) for size in yard_sizes}
    rows = []
    for name, shape in shapes.items():
        torch.manual_seed(0)
        model, x, y = _gpt(shape, dev)
        model.train()
        opt = make_optimizer(model, TrainConfig(progress=False))
        sides = {"eager": train_step_fn(model, opt, x, y, dev), **{k: fn for k, (fn, _) in yard.items()}}
        if compile_model:
            cmodel = torch.compile(model)
            sides["compiled"] = train_step_fn(cmodel, opt, x, y, dev)
        fpt = gpt_flops_per_token(model, shape[3])
        tokens = x.numel()
        times = interleave(sides, dev, rounds, warmup=2 if compile_model else 1, min_time=min_time)
        # the yardstick of each round: the best of the matmul sizes timed in that round
        peak_now = [max(flop / times[k][r] for k, (_, flop) in yard.items()) for r in range(rounds)]
        row = {"shape": name, "n_layer": shape[0], "n_head": shape[1], "d_model": shape[2], "context": shape[3],
               "batch": shape[4], "vocab": shape[5], "flops_per_token": fpt, "step_ms": {}, "tokens_per_s": {},
               "achieved_flops": {}, "utilisation": {}, "utilisation_vs_start_peak": {}}
        for side in [s for s in sides if s not in yard]:
            med = statistics.median(times[side])
            tps = tokens / med
            row["step_ms"][side] = 1e3 * med
            row["tokens_per_s"][side] = tps
            row["achieved_flops"][side] = tps * fpt
            # paired: each round's train FLOP/s over the same round's matmul FLOP/s
            row["utilisation"][side] = statistics.median(tokens * fpt / s / p
                                                         for s, p in zip(times[side], peak_now))
            row["utilisation_vs_start_peak"][side] = tps * fpt / peak["peak"]
        row["interleaved_peak_flops"] = statistics.median(peak_now)
        row["peak_matmul"] = {"dtype": peak["dtype"], "sizes": yard_sizes}
        key = f"util_{name}_min"
        row["target_min"] = TARGETS.get(key) if dev.type == "cpu" else None
        if "known_gpu_peak" in peak:
            row["utilisation_vs_known_gpu_peak"] = {s: f / peak["known_gpu_peak"]["flops"]
                                                    for s, f in row["achieved_flops"].items()}
        rows.append(row)
        del model, opt, sides
    return rows


def bench_generation(dev, shape, new_tokens: tuple[int, ...], rounds, ctx) -> list[dict]:
    """GPT.generate tokens/s with the KV cache and without (recomputing the whole window each token)."""
    if not isinstance(new_tokens, (tuple, list)) or not new_tokens or \
            not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in new_tokens):
        raise ValueError(f"new_tokens must be a non-empty tuple of ints >= 1, got {new_tokens!r}")
    torch.manual_seed(0)
    model, x, _ = _gpt(shape, dev)
    model.eval()
    prompt = x[:1, :1]
    rows = []
    with ctx():  # warm-up: a few tokens each way
        model.generate(prompt, 4, temperature=0.0, use_cache=True)
        model.generate(prompt, 4, temperature=0.0, use_cache=False)
    for n in new_tokens:
        def side(use_cache):
            def fn():
                with ctx():
                    model.generate(prompt, n, temperature=0.0, use_cache=use_cache)
            return fn
        times = interleave({"cache": side(True), "no_cache": side(False)}, dev, rounds, warmup=0, min_time=0.0)
        c, nc = statistics.median(times["cache"]), statistics.median(times["no_cache"])
        rows.append({"new_tokens": n, "prompt_tokens": 1, "batch": 1, "model": dict(zip(
            ("n_layer", "n_head", "d_model", "context", "batch", "vocab"), shape)),
            "cache_tokens_per_s": n / c, "no_cache_tokens_per_s": n / nc, "speedup": nc / c,
            "paired_speedup": statistics.median(b / a for a, b in zip(times["cache"], times["no_cache"])),
            "target_min": TARGETS["kv_speedup_256_min"] if n == 256 else None})
    return rows


def bench_course(device: str, notebooks_dir: str | None = None) -> list[dict]:
    """Wall and CPU time of each chapter at the default profile, run by papermill in a temporary folder."""
    import resource  # Unix only, so imported here

    from .runner import default_notebooks_dir, find_chapters
    rows = []
    out_dir = Path(tempfile.mkdtemp(prefix="bigmodel-bench-course-"))
    for nb in find_chapters(Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "papermill", str(nb), str(out_dir / nb.name),
                               "-p", "profile", "default", "-p", "device", device, "--cwd", str(nb.parent)],
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rows.append({"chapter": nb.stem, "wall_s": wall, "cpu_s": cpu, "ok": proc.returncode == 0,
                     "error": None if proc.returncode == 0 else proc.stderr.strip().splitlines()[-1:]})
        print(f"  course {nb.stem}: {wall:.1f} s wall, {cpu:.1f} s CPU, {'ok' if proc.returncode == 0 else 'FAILED'}",
              flush=True)
    return rows


# ------------------------------------------------------------------------------------------ report
def _fmt_ratio(r: dict) -> str:
    tgt = r.get("target_max")
    verdict = "" if tgt is None else ("  ok" if r["ratio"] <= tgt else "  ABOVE target")
    return (f"{r['case']:<46} {r['lib_ms']:>9.2f} {r['ref_ms']:>9.2f} {r['ratio']:>7.3f} {r['paired_ratio']:>7.3f}"
            f"   {'<= ' + str(tgt) if tgt else '-':<8}{verdict}")


def print_report(res: dict) -> None:
    """The human-readable summary of a bench result (what main prints, and what --json writes)."""
    if not isinstance(res, dict) or "meta" not in res or "peak" not in res:
        raise TypeError(f"res must be a dict from a bench run (with 'meta' and 'peak'), got {type(res).__name__}")
    m = res["meta"]
    print(f"\nbigmodel bench  {m['time_utc']}  device {m['device']} ({m['device_name']})  torch {m['torch']}  "
          f"threads {m['threads']}  clock {m['clock']}  rounds {m['rounds']}{'  QUICK' if m['quick'] else ''}")
    p = res["peak"]
    print(f"\nmeasured matmul peak: {p['peak'] / 1e9:.1f} GFLOP/s ({p['dtype']}, {p['size']}²)")
    for row in p["table"]:
        print(f"  {row['dtype']:<9} {row['size']:>5}: {row['flops'] / 1e9:9.1f} GFLOP/s")
    if "known_gpu_peak" in p:
        k = p["known_gpu_peak"]
        print(f"  known dense bf16 peak of {k['gpu']}: {k['flops'] / 1e12:.0f} TFLOP/s (measured/known "
              f"{p['peak'] / k['flops']:.2f})")
    rows = res.get("attention", []) + res.get("layer", [])
    if rows:
        head = f"{'comparison (library vs torch)':<46} {'lib ms':>9} {'ref ms':>9} {'ratio':>7} {'paired':>7}"
        print(f"\n{head}   target")
        for r in rows:
            print(_fmt_ratio(r))
    if res.get("training"):
        print(f"\n{'GPT train step':<12} {'side':<9} {'step ms':>9} {'tok/s':>9} {'GFLOP/s':>9} {'util':>6} "
              f"{'util*':>6}   target")
        for r in res["training"]:
            for side in r["step_ms"]:
                tgt = r["target_min"]
                u = r["utilisation"][side]
                verdict = "" if tgt is None else ("  ok" if u >= tgt else "  BELOW target")
                print(f"{r['shape']:<12} {side:<9} {r['step_ms'][side]:>9.1f} {r['tokens_per_s'][side]:>9.0f} "
                      f"{r['achieved_flops'][side] / 1e9:>9.2f} {u:>6.3f} {r['utilisation_vs_start_peak'][side]:>6.3f}"
                      f"   {'>= ' + str(tgt) if tgt else '-':<8}{verdict}")
        print("  util: paired with the matmul run in the same rounds; util*: against the peak measured at start")
    if res.get("generation"):
        print(f"\n{'generation':<12} {'cache tok/s':>12} {'no-cache tok/s':>15} {'speedup':>8} {'paired':>7}   target")
        for r in res["generation"]:
            tgt = r["target_min"]
            verdict = "" if tgt is None else ("  ok" if r["speedup"] >= tgt else "  BELOW target")
            print(f"{str(r['new_tokens']) + ' new':<12} {r['cache_tokens_per_s']:>12.1f} "
                  f"{r['no_cache_tokens_per_s']:>15.1f} {r['speedup']:>8.2f} {r['paired_speedup']:>7.2f}"
                  f"   {'>= ' + str(tgt) if tgt else '-':<8}{verdict}")
    if res.get("course"):
        total = sum(r["wall_s"] for r in res["course"]) / 60
        print(f"\ncourse at the default profile: {total:.1f} min wall in all (target <= "
              f"{TARGETS['course_minutes_max']} min)")
        for r in res["course"]:
            print(f"  {r['chapter']:<32} {r['wall_s'] / 60:6.2f} min  {r['cpu_s']:7.1f} CPU-s  "
                  f"{'ok' if r['ok'] else 'FAILED'}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bigmodel bench", description=__doc__.splitlines()[0])
    p.add_argument("--device", default="auto", help="cpu, cuda or auto (default: auto)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    p.add_argument("--quick", action="store_true", help="tiny shapes, 2 rounds: checks that it runs")
    p.add_argument("--rounds", type=int, default=None, help="timed rounds per comparison (default 7; quick 2)")
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads before measuring")
    p.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                   help="wall (default) or cpu: process CPU time, steadier on a shared machine")
    p.add_argument("--only", default="peak,attention,layer,training,generation",
                   help="comma-separated sections to run (peak always runs)")
    p.add_argument("--compile", action="store_true",
                   help="also time the train step of a torch.compile'd model (slow to compile)")
    p.add_argument("--course", action="store_true",
                   help="also run every chapter at the default profile with papermill (minutes)")
    p.add_argument("--notebooks", metavar="DIR", default=None,
                   help="chapters folder for --course (default: the repository's notebooks/)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table, write JSON if asked. Returns the exit status (0 on success)."""
    args = build_parser().parse_args(argv)
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    try:
        dev = pick_device(args.device)
        if args.rounds is not None and args.rounds < 1:
            raise ValueError(f"--rounds must be >= 1, got {args.rounds}")
        if args.threads is not None and args.threads < 1:
            raise ValueError(f"--threads must be >= 1, got {args.threads}")
        unknown = sections - {"peak", "attention", "layer", "training", "generation"}
        if unknown:
            raise ValueError(f"--only: unknown section(s) {sorted(unknown)}; choose from peak, attention, "
                             f"layer, training, generation")
    except ValueError as e:
        print(f"bigmodel bench: {e}", file=sys.stderr)
        return 2
    threads_before = torch.get_num_threads()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    try:
        return _run(args, dev, sections)
    finally:
        torch.set_num_threads(threads_before)


def _run(args: argparse.Namespace, dev: torch.device, sections: set[str]) -> int:
    global _clock
    _clock = CLOCKS[args.clock]
    rounds = args.rounds or (2 if args.quick else 7)
    min_time = 0.0 if args.quick else 0.05
    cuda = dev.type == "cuda"
    ctx = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if cuda else contextlib.nullcontext
    torch.manual_seed(0)
    res: dict = {"meta": {
        "time_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "device": str(dev), "device_name": torch.cuda.get_device_name(dev) if cuda else cpu_name(),
        "torch": torch.__version__, "python": platform.python_version(),
        "threads": torch.get_num_threads(), "clock": args.clock, "rounds": rounds, "quick": args.quick,
        "precision": "bf16 autocast" if cuda else "fp32", "targets": TARGETS}}

    t0 = time.perf_counter()
    print(f"bench on {dev}: measuring the matmul peak...", flush=True)
    sizes = (256,) if args.quick else ((1024, 2048, 4096, 8192) if cuda else (256, 512, 1024, 2048))
    peak = measure_peak(dev, sizes=sizes, repeats=1 if args.quick else 5, clock=args.clock)
    peak["table"] = [{"dtype": d, "size": s, "flops": f} for d, s, f in peak["table"]]
    if cuda:
        known = known_gpu_peak(torch.cuda.get_device_name(dev))
        if known:
            peak["known_gpu_peak"] = {"gpu": known[0], "flops": known[1],
                                      "source": "data/references.md (NVIDIA datasheets)"}
    res["peak"] = peak

    attn_shape = (2, 16, 32, 4) if args.quick else ((8, 1024, 768, 12) if cuda else (8, 256, 384, 6))
    if "attention" in sections:
        print("attention...", flush=True)
        res["attention"] = bench_attention(dev, attn_shape, rounds, ctx, min_time)
    if "layer" in sections:
        print("encoder layer...", flush=True)
        res["layer"] = bench_layer(dev, attn_shape, rounds, ctx, min_time)
    if "training" in sections:
        print("GPT train step...", flush=True)
        if args.quick:
            shapes = {"quick": QUICK_SHAPE}
        else:
            shapes = {k: TRAIN_SHAPES[k] for k in (("small", "medium", "gpt2-small") if cuda else ("small", "medium"))}
        res["training"] = bench_training(dev, shapes, rounds, peak, min_time, compile_model=args.compile)
    if "generation" in sections:
        print("generation...", flush=True)
        gen_shape = QUICK_SHAPE if args.quick else TRAIN_SHAPES["medium"]
        res["generation"] = bench_generation(dev, gen_shape, (8, 16) if args.quick else (64, 256),
                                             max(1, min(rounds, 3)), ctx)
    if args.course:
        print("course (papermill, default profile)...", flush=True)
        res["course"] = bench_course("cuda" if cuda else "cpu", args.notebooks)
        res["course_minutes"] = sum(r["wall_s"] for r in res["course"]) / 60
    res["meta"]["bench_seconds"] = time.perf_counter() - t0
    print_report(res)
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(res, indent=2, default=str))
        print(f"\nwrote {path}")
    return 0
