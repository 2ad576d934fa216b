"""Every figure of chapter 03, called as the chapter calls it (the chapter's three-word example)."""
import numpy as np

from bigmodel_lib.diagrams import ch03

_TOKENS = ["cat", "sat", "mat"]
_X = np.array([[1.0, 0, 0, 0], [0, 0, 1, 1], [0, 1, 0, 0]])
_WQ = 2 * np.array([[1.0, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]])
_Q = _X @ _WQ
_CAUSAL = np.tril(np.ones((3, 3), dtype=bool))
_PAD = np.array([[True, True, False]] * 3)


def _weights(mask):
    s = np.where(mask, _Q @ _X.T / 2, -np.inf)
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


CALLS = [
    lambda: ch03.qkv_one_query(_TOKENS, _Q[1], _X, _X, 1, features=["animal", "place", "action", "past"]),
    lambda: ch03.qkv_one_query(_TOKENS, _Q[1, :3], _X[:, :3], _X, 1),        # d_k = 3: a scale that is not whole
    lambda: ch03.masks(["cat", "sat", "PAD"], _PAD, _weights(_PAD), _TOKENS, _CAUSAL, _weights(_CAUSAL)),
    lambda: ch03.multi_head(n_tokens=3, d_model=4, n_heads=2),
]
