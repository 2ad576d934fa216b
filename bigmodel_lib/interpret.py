"""Explaining a classifier's predictions, and scoring the explanations against a known truth.

A synthetic task (`MarkerData`) puts a few sentiment "marker" words among neutral distractors; the label
is the markers' polarity, or "neutral" when there are none, so the decisive tokens of every example are
known by construction (and the model must detect both polarities, not just one). Wrappers
run five explainers on `models.TransformerClassifier` — attention weights, gradient×input, integrated
gradients (captum), LIME (lime) and SHAP (shap's KernelExplainer) — plus leave-one-out occlusion and a
random baseline, each returning one score per token toward a target class. `score_methods` measures
faithfulness: top-k precision against the markers and a deletion curve (comprehensiveness).

Removing a token everywhere here means replacing it by PAD: the classifier's padding mask then drops
it from attention and from the mean pool, so a removed token is truly absent, not swapped for another.
"""
from __future__ import annotations

import html
import math
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .checks import check_int, check_tokens
from .data import _check_split

PAD = "<pad>"
POSITIVE = ("good", "great", "superb", "lovely")
NEGATIVE = ("bad", "awful", "poor", "dreadful")
DISTRACTORS = (
    "the", "a", "film", "story", "actor", "scene", "camera", "music", "plot", "city", "night", "day",
    "man", "woman", "house", "road", "car", "dog", "table", "window", "river", "train", "book", "letter",
    "was", "is", "and", "then", "with", "of", "in", "on", "very", "quite", "rather", "also", "long",
    "short", "old", "new",
)
CLASS_NAMES = ("negative", "neutral", "positive")
METHODS = ("random", "attention", "grad_x_input", "integrated_gradients", "occlusion", "lime", "shap")


class MarkerData:
    """Sequences of distractor words with 1..max_markers marker words of one polarity (label 0 negative,
    2 positive) or with none (label 1 neutral).

    x: [N, max_len] token ids (PAD = 0 on the right), y: [N] labels, marker: [N, max_len] bool, True
    where the token is a marker — the decisive tokens, known by construction.
    """

    def __init__(self, n_train: int = 4000, n_val: int = 1000, min_len: int = 8, max_len: int = 20,
                 max_markers: int = 3, batch_size: int = 64, seed: int = 0):
        check_int("n_train", n_train, minimum=1)
        check_int("n_val", n_val, minimum=1)
        check_int("min_len", min_len, minimum=2)
        check_int("max_len", max_len, minimum=min_len)
        check_int("max_markers", max_markers, minimum=1, maximum=min_len - 1)
        check_int("batch_size", batch_size, minimum=1)
        check_int("seed", seed, minimum=0)
        self.vocab = [PAD, *DISTRACTORS, *NEGATIVE, *POSITIVE]
        self.stoi = {w: i for i, w in enumerate(self.vocab)}
        self.pad_id, self.max_len, self.min_len, self.max_markers = 0, max_len, min_len, max_markers
        self.batch_size = batch_size
        g = torch.Generator().manual_seed(seed)
        self.train = self._make(n_train, g)
        self.val = self._make(n_val, g)

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def _make(self, n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        dis = torch.tensor([self.stoi[w] for w in DISTRACTORS])
        mark = {0: torch.tensor([self.stoi[w] for w in NEGATIVE]), 2: torch.tensor([self.stoi[w] for w in POSITIVE])}
        x = torch.zeros(n, self.max_len, dtype=torch.long)
        marker = torch.zeros(n, self.max_len, dtype=torch.bool)
        y = torch.randint(0, 3, (n,), generator=g)
        lengths = torch.randint(self.min_len, self.max_len + 1, (n,), generator=g)
        counts = torch.randint(1, self.max_markers + 1, (n,), generator=g)
        for i in range(n):
            L, k = int(lengths[i]), int(counts[i])
            x[i, :L] = dis[torch.randint(0, len(dis), (L,), generator=g)]
            if int(y[i]) == 1:
                continue
            pos = torch.randperm(L, generator=g)[:k]
            m = mark[int(y[i])]
            x[i, pos] = m[torch.randint(0, len(m), (k,), generator=g)]
            marker[i, pos] = True
        return x, y, marker

    def split(self, split: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(x, y, marker) of the whole split."""
        return self.train if _check_split(split) == "train" else self.val

    def get_batch(self, split: str, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A random batch (x [B, max_len], y [B]) for `train.train`."""
        x, y, _ = self.split(split)
        idx = torch.randint(0, len(x), (self.batch_size,), generator=generator)
        return x[idx], y[idx]

    def words(self, ids: torch.Tensor | Sequence[int]) -> list[str]:
        """Token ids of one sequence -> its words, PAD dropped."""
        ids = [int(i) for i in ids]
        bad = [i for i in ids if not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(f"ids must be in [0, {self.vocab_size}) (vocab_size), got {bad[:5]}")
        return [self.vocab[i] for i in ids if i != self.pad_id]

    def encode(self, texts: Sequence[str]) -> torch.Tensor:
        """Space-separated texts -> [len(texts), max_len] ids; the word PAD ("<pad>", LIME's mask string)
        becomes the PAD id, a word outside the vocabulary is an error."""
        if isinstance(texts, str):
            raise TypeError("texts must be a list of strings, not one string")
        x = torch.zeros(len(texts), self.max_len, dtype=torch.long)
        for i, t in enumerate(texts):
            unknown = sorted(set(t.split()) - self.stoi.keys())
            if unknown:
                raise ValueError(f"texts[{i}] has words not in the vocabulary: {unknown[:5]}")
            ids = [self.stoi[w] for w in t.split()]
            if len(ids) > self.max_len:
                raise ValueError(f"texts[{i}] has {len(ids)} words, more than max_len={self.max_len}")
            x[i, :len(ids)] = torch.tensor(ids, dtype=torch.long)
        return x

    def bag_of_words(self, x: torch.Tensor) -> np.ndarray:
        """Word counts [N, vocab_size] (PAD column zero): the input of a linear baseline."""
        check_tokens("x", x, self.vocab_size)
        counts = F.one_hot(x, self.vocab_size).sum(1).float()
        counts[:, self.pad_id] = 0
        return counts.numpy()


# ------------------------------------------------------------------ model helpers
def make_classifier(data: MarkerData, d_model: int = 32, n_heads: int = 2, n_layers: int = 2,
                    **kwargs) -> nn.Module:
    """A small TransformerClassifier sized for `data`."""
    from .models import TransformerClassifier
    if not isinstance(data, MarkerData):
        raise TypeError(f"data must be a MarkerData, got {type(data).__name__}")
    return TransformerClassifier(data.vocab_size, len(CLASS_NAMES), d_model=d_model, n_heads=n_heads, n_layers=n_layers,
                                 max_len=data.max_len, pad_id=data.pad_id, **kwargs)


@torch.no_grad()
def predict_proba(model: nn.Module, x: torch.Tensor, batch_size: int = 2048) -> np.ndarray:
    """Class probabilities [N, C] as numpy (the form LIME and SHAP want); eval mode, batched."""
    _check_model(model)
    check_tokens("x", x, model.vocab_size)
    was = model.training
    model.eval()
    try:
        dev = next(model.parameters()).device
        out = [torch.softmax(model(x[i:i + batch_size].to(dev))[0].float(), -1).cpu()
               for i in range(0, len(x), batch_size)]
    finally:
        model.train(was)
    return torch.cat(out).numpy().astype(np.float64)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows of x whose most likely class is y."""
    if not isinstance(y, torch.Tensor) or y.shape != (len(x),):
        raise ValueError(f"y must be a tensor of {len(x)} labels (one per row of x), got "
                         f"{tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__}")
    return float((predict_proba(model, x).argmax(1) == y.numpy()).mean())


def remove_tokens(x: torch.Tensor, drop: torch.Tensor) -> torch.Tensor:
    """x with the positions where `drop` is True set to PAD (0): removed from attention and pooling."""
    if drop.shape != x.shape or drop.dtype != torch.bool:
        raise ValueError(f"drop must be a bool tensor of x's shape {tuple(x.shape)}, got "
                         f"{drop.dtype} {tuple(drop.shape)}")
    return x.masked_fill(drop, 0)


def _check_model(model) -> None:
    from .models import TransformerClassifier
    if not isinstance(model, TransformerClassifier):
        raise TypeError(f"model must be a bigmodel_lib.models.TransformerClassifier, got {type(model).__name__}")


def _check_x(model, x) -> None:
    _check_model(model)
    check_tokens("x", x, model.vocab_size, model.max_len)


def _target(model: nn.Module, x: torch.Tensor, target) -> torch.Tensor:
    """Target classes [B]: the prediction when target is None, else an int or a [B] tensor."""
    if target is None:
        return torch.from_numpy(predict_proba(model, x).argmax(1))
    if isinstance(target, int):
        return torch.full((len(x),), target, dtype=torch.long)
    if not isinstance(target, torch.Tensor) or target.shape != (len(x),):
        raise ValueError(f"target must be None, an int or a tensor of {len(x)} classes")
    return target.long().cpu()


# ------------------------------------------------------------------ explainers
def random_scores(x: torch.Tensor, seed: int = 0) -> np.ndarray:
    """The baseline every method must beat: a random score per token."""
    if not isinstance(x, torch.Tensor) or x.ndim != 2:
        raise ValueError(f"x must be a [batch, time] tensor of token ids, got "
                         f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}")
    g = torch.Generator().manual_seed(seed)
    return torch.rand(x.shape, generator=g).masked_fill(x == 0, 0.0).numpy()


@torch.no_grad()
def attention_scores(model: nn.Module, x: torch.Tensor, layer: int | str = -1) -> np.ndarray:
    """How much attention each token receives: the weights of one layer (or "mean" of all layers),
    averaged over heads and over the real query positions. Non-negative, not class-specific."""
    _check_x(model, x)
    if layer != "mean" and (not isinstance(layer, int) or not -len(model.layers) <= layer < len(model.layers)):
        n = len(model.layers)
        raise ValueError(f"layer must be 'mean' or an int in [{-n}, {n}), got {layer!r}")
    was = model.training
    model.eval()
    try:
        dev = next(model.parameters()).device
        xd = x.to(dev)
        mask = xd != model.pad_id
        model.forward_embeddings(model.embed(xd), mask, need_weights=True)
    finally:
        model.train(was)
    maps = model.attention_maps()
    chosen = maps if layer == "mean" else [maps[layer]]
    w = torch.stack(chosen).mean(0).mean(1)                      # [B, Tq, Tk]
    q = mask.float().unsqueeze(-1)
    received = (w * q).sum(1) / q.sum(1).clamp_min(1.0)          # mean over real queries -> [B, Tk]
    return received.masked_fill(~mask, 0.0).cpu().numpy()


def _logprob_fn(model: nn.Module) -> Callable:
    def f(emb: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(model.forward_embeddings(emb, mask), -1)
    return f


def grad_x_input(model: nn.Module, x: torch.Tensor, target=None) -> np.ndarray:
    """Gradient of log p(target) with respect to each token's embedding, dotted with that embedding."""
    _check_x(model, x)
    t = _target(model, x, target)
    was = model.training
    model.eval()
    try:
        dev = next(model.parameters()).device
        xd = x.to(dev)
        emb = model.embed(xd).detach().requires_grad_(True)
        logp = _logprob_fn(model)(emb, xd != model.pad_id)
        (grad,) = torch.autograd.grad(logp.gather(1, t.to(dev)[:, None]).sum(), emb)
    finally:
        model.train(was)
    return (grad * emb).sum(-1).masked_fill(xd == model.pad_id, 0.0).detach().cpu().numpy()


def integrated_gradients(model: nn.Module, x: torch.Tensor, target=None, n_steps: int = 32,
                         return_delta: bool = False):
    """Integrated gradients (captum) of log p(target) from an all-zero embedding baseline to the
    input's embeddings, summed over the embedding dimension -> [B, T] (and the completeness gap)."""
    from captum.attr import IntegratedGradients
    check_int("n_steps", n_steps, minimum=2)
    t = _target(model, x, target)
    was = model.training
    model.eval()
    try:
        dev = next(model.parameters()).device
        xd = x.to(dev)
        mask = xd != model.pad_id
        emb = model.embed(xd).detach()
        ig = IntegratedGradients(_logprob_fn(model))
        attr, delta = ig.attribute(emb, baselines=torch.zeros_like(emb), target=t.to(dev),
                                   additional_forward_args=(mask,), n_steps=n_steps,
                                   return_convergence_delta=True)
    finally:
        model.train(was)
    scores = attr.sum(-1).masked_fill(~mask, 0.0).detach().cpu().numpy()
    return (scores, delta.detach().cpu().numpy()) if return_delta else scores


def occlusion_scores(model: nn.Module, x: torch.Tensor, target=None) -> np.ndarray:
    """Leave one out: p(target | x) minus p(target | x without token i), for every real token i."""
    t = _target(model, x, target).numpy()
    B, T = x.shape
    p0 = predict_proba(model, x)[np.arange(B), t]
    eye = torch.eye(T, dtype=torch.bool)
    batch = remove_tokens(x.repeat_interleave(T, 0), eye.repeat(B, 1))   # row b*T + i drops token i of x[b]
    p = predict_proba(model, batch)[np.arange(B * T), np.repeat(t, T)].reshape(B, T)
    return np.where(x.numpy() != 0, p0[:, None] - p, 0.0)


def lime_scores(model: nn.Module, data: MarkerData, x: torch.Tensor, target=None, num_samples: int = 300,
                seed: int = 0) -> np.ndarray:
    """LIME (lime.lime_text) with one feature per position (bow=False): the weight of each word in a
    local linear model fitted to the classifier on random subsets of the words (missing = PAD)."""
    from lime.lime_text import LimeTextExplainer
    check_int("num_samples", num_samples, minimum=10)
    t = _target(model, x, target).numpy()
    explainer = LimeTextExplainer(class_names=list(CLASS_NAMES), split_expression=r"\s+", bow=False,
                                  mask_string=PAD, feature_selection="none",
                                  random_state=np.random.RandomState(seed))
    out = np.zeros(x.shape)
    for b in range(len(x)):
        words = data.words(x[b])
        pos = np.flatnonzero(x[b].numpy() != 0)   # real positions, in order
        exp = explainer.explain_instance(" ".join(words), lambda texts: predict_proba(model, data.encode(texts)),
                                         labels=(int(t[b]),), num_features=len(words), num_samples=num_samples)
        for feature, weight in exp.as_map()[int(t[b])]:
            out[b, pos[feature]] = weight
    return out


def shap_scores(model: nn.Module, x: torch.Tensor, target=None, nsamples: int = 200, seed: int = 0) -> np.ndarray:
    """Kernel SHAP (shap.KernelExplainer) over token presence: feature i = 1 keeps token i, 0 removes it;
    the background is the empty input, so the values add up to p(target|x) - p(target|nothing)."""
    import shap
    check_int("nsamples", nsamples, minimum=10)
    t = _target(model, x, target).numpy()
    out = np.zeros(x.shape)
    state = np.random.get_state()   # KernelExplainer samples with the global numpy RNG: seed it, then restore
    np.random.seed(seed)
    try:
        for b in range(len(x)):
            pos = np.flatnonzero(x[b].numpy() != 0)
            row = x[b:b + 1]

            def f(z: np.ndarray, row=row, pos=pos, cls=int(t[b])) -> np.ndarray:
                drop = torch.zeros(len(z), row.shape[1], dtype=torch.bool)
                drop[:, torch.from_numpy(pos)] = torch.from_numpy(z < 0.5)
                return predict_proba(model, remove_tokens(row.expand(len(z), -1), drop))[:, cls]

            explainer = shap.KernelExplainer(f, np.zeros((1, len(pos))))
            out[b, pos] = explainer.shap_values(np.ones(len(pos)), nsamples=nsamples, l1_reg=False, silent=True)
    finally:
        np.random.set_state(state)
    return out


def explain(model: nn.Module, data: MarkerData, x: torch.Tensor, target=None, methods: Sequence[str] = METHODS,
            lime_samples: int = 300, shap_samples: int = 200, ig_steps: int = 32, seed: int = 0,
            progress: bool = False) -> dict[str, np.ndarray]:
    """Run each named method on x [B, T]; returns {method: scores [B, T]} (0 on PAD), with the seconds
    each took under the key "_seconds"."""
    import time
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"methods must be among {METHODS}, got {sorted(unknown)}")
    check_tokens("x", x, model.vocab_size)
    t = _target(model, x, target)
    run = {
        "random": lambda: random_scores(x, seed),
        "attention": lambda: attention_scores(model, x),
        "grad_x_input": lambda: grad_x_input(model, x, t),
        "integrated_gradients": lambda: integrated_gradients(model, x, t, n_steps=ig_steps),
        "occlusion": lambda: occlusion_scores(model, x, t),
        "lime": lambda: lime_scores(model, data, x, t, num_samples=lime_samples, seed=seed),
        "shap": lambda: shap_scores(model, x, t, nsamples=shap_samples, seed=seed),
    }
    out: dict = {"_seconds": {}}
    names = list(methods)
    if progress:
        from tqdm.auto import tqdm
        names = tqdm(names, desc="explainers")
    for name in names:
        t0 = time.perf_counter()
        out[name] = np.asarray(run[name](), dtype=np.float64)
        out["_seconds"][name] = time.perf_counter() - t0
    return out


# ------------------------------------------------------------------ faithfulness
def _ranked(scores: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Positions sorted by score, highest first; PAD positions last. Ties keep position order."""
    s = np.where(valid, scores, -np.inf)
    return np.argsort(-s, axis=1, kind="stable")


def topk_precision(scores: np.ndarray, marker: np.ndarray, valid: np.ndarray, k: int | None = None) -> np.ndarray:
    """Per example: the fraction of the k top-scored tokens that are markers (k = that example's
    number of markers when None, so a perfect ranking scores 1)."""
    scores, marker, valid = np.asarray(scores), np.asarray(marker, bool), np.asarray(valid, bool)
    if not scores.shape == marker.shape == valid.shape or scores.ndim != 2:
        raise ValueError(f"scores, marker and valid must be [B, T] arrays of one shape, got "
                         f"{scores.shape}, {marker.shape}, {valid.shape}")
    order = _ranked(scores, valid)
    ks = marker.sum(1) if k is None else np.full(len(scores), check_int("k", k, minimum=1))
    hits = np.take_along_axis(marker, order, 1)
    return np.array([hits[b, :max(int(ks[b]), 1)].mean() for b in range(len(scores))])


def deletion_curve(model: nn.Module, x: torch.Tensor, scores: np.ndarray, target=None, steps: int = 5) -> np.ndarray:
    """p(target) after removing the r top-scored tokens, r = 0..steps -> [B, steps + 1]. A faithful
    ranking makes it fall fast."""
    check_int("steps", steps, minimum=1)
    _check_x(model, x)
    if np.shape(scores) != tuple(x.shape):
        raise ValueError(f"scores must have x's shape {tuple(x.shape)}, got {np.shape(scores)}")
    t = _target(model, x, target).numpy()
    B, T = x.shape
    valid = x.numpy() != 0
    order = _ranked(np.asarray(scores), valid)
    drops = []
    for r in range(steps + 1):
        d = np.zeros((B, T), bool)
        np.put_along_axis(d, order[:, :r], True, 1)
        drops.append(d & valid)
    batch = remove_tokens(x.repeat(steps + 1, 1), torch.from_numpy(np.concatenate(drops)))
    p = predict_proba(model, batch)[np.arange(B * (steps + 1)), np.tile(t, steps + 1)]
    return p.reshape(steps + 1, B).T


def score_methods(model: nn.Module, x: torch.Tensor, marker: torch.Tensor, attributions: dict[str, np.ndarray],
                  target=None, steps: int = 5):
    """Faithfulness of every method: a pandas DataFrame (one row per method, best first) with the mean
    top-k precision, the comprehensiveness (mean drop of p(target) over the first `steps` deletions)
    and their standard errors; plus {method: deletion curves [B, steps + 1]}."""
    import pandas as pd
    _check_x(model, x)
    if not isinstance(marker, torch.Tensor) or marker.shape != x.shape:
        raise ValueError(f"marker must be a tensor of x's shape {tuple(x.shape)}, got "
                         f"{tuple(marker.shape) if isinstance(marker, torch.Tensor) else type(marker).__name__}")
    if not attributions:
        raise ValueError("attributions must map at least one method name to its [B, T] scores")
    t = _target(model, x, target)
    valid, mk = x.numpy() != 0, marker.numpy()
    rows, curves = [], {}
    for name, s in attributions.items():
        if name.startswith("_"):
            continue
        prec = topk_precision(s, mk, valid)
        curve = deletion_curve(model, x, s, t, steps)
        comp = curve[:, 0] - curve[:, 1:].mean(1)
        curves[name] = curve
        n = len(prec)
        rows.append({"method": name, "topk_precision": prec.mean(), "precision_se": prec.std(ddof=1) / math.sqrt(n),
                     "comprehensiveness": comp.mean(), "comprehensiveness_se": comp.std(ddof=1) / math.sqrt(n)})
    table = pd.DataFrame(rows).set_index("method").sort_values(["topk_precision", "comprehensiveness"],
                                                               ascending=False)
    return table, curves


# ------------------------------------------------------------------ pictures
def highlight_html(words: Sequence[str], scores: Sequence[float], markers: Sequence[bool] | None = None,
                   label: str = "") -> str:
    """One line of HTML: each word on a background whose colour shows its score (green supports the
    target, red opposes, scaled to the largest |score|); true markers are underlined."""
    s = np.asarray(scores, dtype=float)
    if len(s) != len(words):
        raise ValueError(f"scores has {len(s)} values for {len(words)} words")
    top = float(np.abs(s).max()) or 1.0
    spans = []
    for i, (w, v) in enumerate(zip(words, s)):
        a = min(abs(v) / top, 1.0)
        rgb = "26,127,55" if v >= 0 else "207,34,46"
        deco = "text-decoration:underline;font-weight:bold;" if markers is not None and markers[i] else ""
        spans.append(f"<span title='{v:+.3f}' style='background:rgba({rgb},{a:.2f});padding:1px 3px;"
                     f"margin:1px;border-radius:3px;{deco}'>{html.escape(w)}</span>")
    head = f"<b style='display:inline-block;width:11em'>{html.escape(label)}</b>" if label else ""
    return f"<div style='font-family:monospace;line-height:1.9'>{head}{''.join(spans)}</div>"


def plot_highlights(ax, words: Sequence[str], rows: dict[str, Sequence[float]], markers: Sequence[bool] | None = None):
    """The matplotlib fallback of highlight_html: one row per method, each row scaled to its largest |score|."""
    from matplotlib.axes import Axes
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if not rows:
        raise ValueError("rows must map at least one method name to its scores")
    for name, r in rows.items():
        if len(r) != len(words):
            raise ValueError(f"rows[{name!r}] has {len(r)} values for {len(words)} words")
    if markers is not None and len(markers) != len(words):
        raise ValueError(f"markers has {len(markers)} values for {len(words)} words")
    names = list(rows)
    m = np.array([np.asarray(rows[n], float) / (np.abs(np.asarray(rows[n], float)).max() or 1.0) for n in names])
    ax.imshow(m, cmap="RdYlGn", vmin=-1, vmax=1, aspect="auto")
    ax.set_yticks(range(len(names)), names)
    labels = [f"[{w}]" if markers is not None and markers[i] else w for i, w in enumerate(words)]
    ax.set_xticks(range(len(words)), labels, rotation=60, ha="right")
    return ax
