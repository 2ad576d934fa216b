"""`bigmodel gpucheck`: everything GPU-specific in the course, checked in one run on a machine with CUDA.

    bigmodel gpucheck -o gpucheck-report.json

Checks, each with pass/fail in one JSON report:

1. bench          `bigmodel bench --device cuda` runs to the end (its own results are included).
2. bf16_training  a small GPT trained for the same steps on the same batches twice, in fp32 on the CPU
                  and under bf16 autocast on the GPU, from the same initial weights: the two loss curves
                  must agree within CURVE_TOLERANCE (moving averages over CURVE_WINDOW steps).
3. kv_cache       on the GPU, with the model trained in check 2 (its next token depends on its context),
                  greedy `generate(use_cache=True)` equals `use_cache=False` token for token, for prompts
                  shorter than, equal to and longer than the context window, generating past it.
4. chapters       chapters 03, 04 and 08 run top to bottom with profile="full" and device="cuda"
                  (papermill, as `bigmodel run` does; executed notebooks go next to the report).

Without CUDA it says so, writes a report that says so, and exits with status 2.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

import torch

CURVE_WINDOW = 10          # steps per moving average
# bf16 rounds each matmul input to 8 significant bits, so the curves drift apart a little; a bug
# (wrong dtype, a broken scaler, unscaled gradients) shows up as a gap of a nat or a curve that stalls.
CURVE_TOLERANCE = {"max_abs_diff": 0.15, "final_abs_diff": 0.08}   # nats; not yet calibrated on a GPU
DEFAULT_CHAPTERS = ("03", "04", "08")
TRAIN_SHAPE = {"n_layer": 4, "n_head": 4, "d_model": 128, "block_size": 64}


def compare_curves(a, b, window: int = CURVE_WINDOW, tolerance: dict | None = None) -> dict:
    """Compare two loss curves of the same steps: the largest gap between their `window`-step moving
    averages and the gap between their final averages, against `tolerance` (nats)."""
    tol = dict(CURVE_TOLERANCE if tolerance is None else tolerance)
    a, b = [float(x) for x in a], [float(x) for x in b]
    if len(a) != len(b) or len(a) < window:
        raise ValueError(f"curves must have the same length >= window={window}, got {len(a)} and {len(b)}")
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    if not all(math.isfinite(x) for x in a + b):
        return {"ok": False, "max_abs_diff": math.inf, "final_abs_diff": math.inf, "tolerance": tol,
                "error": "a curve holds NaN or inf"}

    def moving(xs):
        return [sum(xs[i - window:i]) / window for i in range(window, len(xs) + 1)]
    ma, mb = moving(a), moving(b)
    max_diff = max(abs(x - y) for x, y in zip(ma, mb))
    final_diff = abs(ma[-1] - mb[-1])
    return {"ok": max_diff <= tol["max_abs_diff"] and final_diff <= tol["final_abs_diff"],
            "max_abs_diff": max_diff, "final_abs_diff": final_diff, "tolerance": tol, "window": window,
            "first": [ma[0], mb[0]], "last": [ma[-1], mb[-1]]}


def training_curves(device_a: str = "cpu", device_b: str = "cuda", steps: int = 200, amp_b: bool = True,
                    shape: dict | None = None, seed: int = 0, max_chars: int = 200_000):
    """Train one initial GPT twice on the same batches: on device_a in fp32 and on device_b (bf16 autocast
    when amp_b and device_b is CUDA). Returns (losses_a, losses_b, model_b, tokenizer, data)."""
    from .data import char_corpus
    from .device import pick_device
    from .models import GPT, GPTConfig
    from .train import TrainConfig, train

    pick_device(device_a), pick_device(device_b)          # a bad or missing device fails before any training
    shape = dict(TRAIN_SHAPE if shape is None else shape)
    tok, data = char_corpus(block_size=shape["block_size"], batch_size=16, max_chars=max_chars)
    torch.manual_seed(seed)
    model_a = GPT(GPTConfig(vocab_size=tok.vocab_size, **shape))
    model_b = copy.deepcopy(model_a)
    common = dict(steps=steps, lr=3e-3, warmup_steps=10, seed=seed, progress=False)
    hist_a = train(model_a, data, TrainConfig(device=device_a, amp=False, desc="fp32", **common))
    hist_b = train(model_b, data, TrainConfig(device=device_b, amp=amp_b, desc="amp", **common))
    return hist_a.train_loss, hist_b.train_loss, model_b, tok, data


def kv_cache_mismatches(model, tok, data, device: str) -> dict:
    """Greedy generation with and without the KV cache on `device`: prompts shorter than, equal to and
    longer than the context, each generating past the window. Returns the cases that differ."""
    from .device import pick_device
    from .models import GPT

    if not isinstance(model, GPT):
        raise TypeError(f"model must be a bigmodel_lib.models.GPT, got {type(model).__name__}")
    model = model.to(pick_device(device)).eval()
    block = model.config.block_size
    ids = data.splits["val"]                              # text the model has not trained on
    cases, bad = [], []
    for prompt_len in (1, block // 2, block - 1, block, block + 7):
        prompt = ids[:prompt_len].view(1, -1).to(device)
        new = block + 5                                   # always runs past the window
        with torch.no_grad():
            a = model.generate(prompt, new, temperature=0.0, use_cache=True)
            b = model.generate(prompt, new, temperature=0.0, use_cache=False)
        same = torch.equal(a, b)
        first = None if same else int((a != b).nonzero()[0, 1])
        cases.append({"prompt_len": prompt_len, "new_tokens": new, "equal": same, "first_difference": first})
        if not same:
            bad.append(prompt_len)
    return {"ok": not bad, "cases": cases, "differing_prompt_lens": bad}


def _timed(name: str, report: dict, fn) -> None:
    """Run one check, record pass/fail, seconds and details (an exception is a failure, not a crash)."""
    print(f"gpucheck: {name} ...", flush=True)
    t0 = time.perf_counter()
    try:
        details = fn()
        ok = bool(details.pop("ok"))
    except Exception as e:  # noqa: BLE001  (recorded in the report; the other checks still run)
        ok, details = False, {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()[-3000:]}
    report["checks"][name] = {"ok": ok, "seconds": round(time.perf_counter() - t0, 1), **details}
    print(f"gpucheck: {name}: {'PASS' if ok else 'FAIL'} ({report['checks'][name]['seconds']} s)", flush=True)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bigmodel gpucheck", description=__doc__.splitlines()[0])
    p.add_argument("-o", "--output", type=Path, default=Path("gpucheck-report.json"),
                   help="the JSON report (default: gpucheck-report.json); executed chapters go beside it")
    p.add_argument("--device", default="cuda", help='the GPU to check: "cuda" or "cuda:N" (default: cuda)')
    p.add_argument("--steps", type=int, default=200, help="training steps of the fp32-vs-bf16 check (default 200)")
    p.add_argument("--chapters", nargs="*", default=list(DEFAULT_CHAPTERS), metavar="NN",
                   help="chapters to run with profile='full' (default: 03 04 08; none to skip)")
    p.add_argument("--skip", default="", help="comma-separated checks to leave out: bench, bf16_training, "
                                              "kv_cache, chapters")
    return p


CHECKS = ("bench", "bf16_training", "kv_cache", "chapters")


def main(argv: list[str] | None = None) -> int:
    """Run the checks, write the report; 0 when all passed, 1 when any failed, 2 without CUDA or on bad
    arguments."""
    args = build_parser().parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if skip - set(CHECKS):
        print(f"bigmodel gpucheck: --skip: unknown check(s) {sorted(skip - set(CHECKS))}; choose from "
              f"{', '.join(CHECKS)}", file=sys.stderr)
        return 2
    if args.steps < CURVE_WINDOW:
        print(f"bigmodel gpucheck: --steps must be >= {CURVE_WINDOW}, got {args.steps}", file=sys.stderr)
        return 2
    if not (args.device == "cuda" or args.device.startswith("cuda:")):
        print(f"bigmodel gpucheck: --device must be 'cuda' or 'cuda:N', got {args.device!r}", file=sys.stderr)
        return 2
    report = {"command": "bigmodel gpucheck " + " ".join(argv if argv is not None else sys.argv[1:]),
              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "python": platform.python_version(),
              "torch": torch.__version__, "cuda_version": torch.version.cuda, "device": args.device,
              "curve_tolerance": CURVE_TOLERANCE, "checks": {}}
    out = args.output
    out.parent.mkdir(parents=True, exist_ok=True)
    if not torch.cuda.is_available():
        report.update(ok=False, error=f"no CUDA device: torch {torch.__version__} (CUDA build: "
                                      f"{torch.version.cuda or 'none'}) sees no GPU, so nothing was checked")
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"bigmodel gpucheck: {report['error']}. Run it on a machine with an NVIDIA GPU and a CUDA build "
              f"of torch. Report: {out}", file=sys.stderr)
        return 2
    dev = torch.device(args.device)
    report["gpu"] = torch.cuda.get_device_name(dev)
    t_start = time.perf_counter()

    if "bench" not in skip:
        def bench_check():
            from . import bench
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "bench.json"
                code = bench.main(["--device", args.device, "--json", str(path)])
                results = json.loads(path.read_text()) if path.exists() else None
            return {"ok": code == 0, "exit_status": code, "results": results}
        _timed("bench", report, bench_check)

    trained = {}
    if "bf16_training" not in skip or "kv_cache" not in skip:
        def training_check():
            cpu, gpu, model, tok, data = training_curves("cpu", args.device, steps=args.steps, amp_b=True)
            trained.update(model=model, tok=tok, data=data)
            cmp = compare_curves(cpu, gpu)
            return {**cmp, "steps": args.steps, "shape": TRAIN_SHAPE, "loss_cpu_fp32": cpu, "loss_gpu_bf16": gpu}
        _timed("bf16_training", report, training_check)

    if "kv_cache" not in skip:
        def kv_check():
            if "model" not in trained:
                raise RuntimeError("needs the model trained by bf16_training, which failed")
            return kv_cache_mismatches(trained["model"], trained["tok"], trained["data"], args.device)
        _timed("kv_cache", report, kv_check)

    if "chapters" not in skip and args.chapters:
        def chapters_check():
            from . import runner
            book = out.parent / (out.stem + "-chapters")
            book.mkdir(parents=True, exist_ok=True)
            rows = [runner.run_chapter(src, book, {"profile": "full", "device": args.device})
                    for src in runner.find_chapters(runner.default_notebooks_dir(), args.chapters)]
            return {"ok": all(r["status"] == "ok" for r in rows), "chapters": rows, "executed_in": str(book)}
        _timed("chapters", report, chapters_check)

    report["seconds"] = round(time.perf_counter() - t_start, 1)
    report["ok"] = all(c["ok"] for c in report["checks"].values())
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    failed = [k for k, c in report["checks"].items() if not c["ok"]]
    print(f"gpucheck: {'all checks passed' if not failed else 'FAILED: ' + ', '.join(failed)} in "
          f"{report['seconds']} s; report: {out}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
