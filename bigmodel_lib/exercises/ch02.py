"""Exercises of chapter 02 (core concepts: parameter counts and bytes per parameter)."""
from __future__ import annotations

import math

from . import Result, run_check, verdict


def exercise_1(n_params_fn) -> Result:
    """Exact parameter count of bigmodel_lib's GPT (tied head) as a function of its shape."""
    name = "02.1 parameter count"

    def check(fn):
        import torch

        from ..models import GPT, GPTConfig, count_parameters
        shapes = [(1, 8, 10, 4), (2, 64, 96, 64), (3, 96, 50, 128), (12, 768, 50257, 1024)]  # L, d, V, T
        wrong = []
        for L, d, V, T in shapes:
            with torch.device("meta"):   # shapes only: no memory, no time
                want = count_parameters(GPT(GPTConfig(vocab_size=V, block_size=T, n_layer=L, n_head=4, d_model=d)))
            got = fn(L, d, V, T)
            if got != want:
                wrong.append(f"(L={L}, d={d}, V={V}, T={T}): you {got}, GPT {want}")
        return verdict(name, not wrong, "right: L·(12d² + 13d) + V·d + T·d + 2d, to the last parameter.",
                       "mismatch for " + "; ".join(wrong) + ". Count weights and biases of every Linear, both "
                       "LayerNorms of a block, the two embeddings and the final LayerNorm; the head is tied.")
    return run_check(name, n_params_fn, check)


def exercise_2(gigabytes) -> Result:
    """Model-state memory of mixed-precision Adam training for Llama 3 8B, in GB (1e9 bytes)."""
    name = "02.2 training memory"

    def check(ans):
        from ..models_table import ADAM_MIXED_BYTES_PER_PARAM, model_summary
        want = ADAM_MIXED_BYTES_PER_PARAM * model_summary("Llama 3 8B")["params"] / 1e9
        got = float(ans)
        hint = ""
        if math.isclose(got, want / 8, rel_tol=0.02):
            hint = " That is the bf16 weights alone."
        elif math.isclose(got, want * 1e9 / 2 ** 30, rel_tol=0.01):
            hint = " Use decimal gigabytes (1e9 bytes), not GiB."
        return verdict(name, math.isclose(got, want, rel_tol=0.02),
                       f"right: 16 bytes × 8e9 parameters = {want:.0f} GB, before activations.",
                       f"you gave {got:.4g} GB.{hint} Per parameter: bf16 weights 2 + bf16 gradients 2 + fp32 "
                       f"master weights 4 + Adam m 4 + Adam v 4 bytes.")
    return run_check(name, gigabytes, check)
