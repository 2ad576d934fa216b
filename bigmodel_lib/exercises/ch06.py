"""Exercises of chapter 06 (interpretability): two explanations written by hand."""
from __future__ import annotations

import numpy as np
import torch

from . import Result, run_check, verdict


def _setting():
    """A small, seeded, untrained classifier on marker-task inputs: enough to compare two implementations."""
    from ..interpret import MarkerData, make_classifier
    data = MarkerData(n_train=10, n_val=8, seed=3)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = make_classifier(data, d_model=16, n_heads=2, n_layers=1).eval()
    x, _, _ = data.split("val")
    target = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    return model, x, target


def _compare(name: str, fn, reference, what: str) -> Result:
    model, x, target = _setting()
    got = fn(model, x.clone(), target.clone())
    got = got.detach().cpu().numpy() if isinstance(got, torch.Tensor) else np.asarray(got, dtype=float)
    want = reference(model, x, target)
    if got.shape != want.shape:
        return verdict(name, False, "", f"your answer has shape {got.shape}, expected {want.shape} ([B, T]: one "
                                        f"score per position, 0 on PAD).")
    if not np.all(got[x.numpy() == 0] == 0):
        return verdict(name, False, "", "PAD positions must score exactly 0.")
    if not np.allclose(got, want, atol=1e-4, rtol=1e-3):
        worst = np.unravel_index(np.abs(got - want).argmax(), got.shape)
        return verdict(name, False, "", f"at (example, position) {tuple(int(v) for v in worst)} you gave "
                                        f"{got[worst]:.5f}, expected {want[worst]:.5f}. {what}")
    return verdict(name, True, f"right on a {x.shape[0]}x{x.shape[1]} batch.", "")


def exercise_1(grad_x_input_fn) -> Result:
    """my_grad_x_input(model, x, target) -> [B, T] gradient × input of log p(target)."""
    from ..interpret import grad_x_input
    return run_check("06.1 gradient × input", grad_x_input_fn, lambda fn: _compare(
        "06.1 gradient × input", fn, grad_x_input,
        "Differentiate log_softmax(logits)[b, target[b]] (not the raw logit, not the loss) with respect to the "
        "embeddings, multiply by the embeddings and sum over the embedding dimension."))


def exercise_2(occlusion_fn) -> Result:
    """my_occlusion(model, x, target) -> [B, T] drop of p(target) when each token alone is set to PAD."""
    from ..interpret import occlusion_scores
    return run_check("06.2 occlusion", occlusion_fn, lambda fn: _compare(
        "06.2 occlusion", fn, occlusion_scores,
        "Use probabilities (softmax), compute p(target | x) minus p(target | x with that one token set to 0), "
        "and put the model in eval mode."))
