"""Bad-input cases for bigmodel_lib.moe (format: tests/bad_input_cases/__init__.py)."""
import torch

from bigmodel_lib import moe

from . import gpt


def layer():
    return moe.MoEFeedForward(4, 8, n_experts=3, top_k=2)


CASES = [
    ("moe-topk", "moe.MoEFeedForward", lambda: moe.MoEFeedForward(4, 8, n_experts=2, top_k=3), ValueError, r"top_k must be <= 2"),
    ("moe-experts", "moe.MoEFeedForward", lambda: moe.MoEFeedForward(4, 8, n_experts=0), ValueError, r"n_experts must be >= 1"),
    ("moe-act", "moe.MoEFeedForward", lambda: moe.MoEFeedForward(4, 8, 2, activation="tanh"), ValueError, r"activation must be one of"),
    ("moe-forward-dim", "moe.MoEFeedForward.forward", lambda: layer()(torch.randn(2, 5)), ValueError, r"x must have last dimension 4"),
    ("moe-route-int", "moe.MoEFeedForward.route", lambda: layer().route(torch.ones(2, 4, dtype=torch.long)), TypeError, r"x must be a floating-point"),
    ("moe-ref-layer", "moe.moe_forward_reference", lambda: moe.moe_forward_reference(torch.nn.Linear(4, 4), torch.randn(2, 4)), TypeError, r"layer must be a MoEFeedForward"),
    ("moe-layers-model", "moe.moe_layers", lambda: moe.moe_layers("gpt"), TypeError, r"model must be an nn.Module"),
    ("moe-gpt-config", "moe.make_moe_gpt", lambda: moe.make_moe_gpt({"d_model": 8}, 4), TypeError, r"config must be a GPTConfig"),
    ("moe-gpt-topk", "moe.make_moe_gpt", lambda: moe.make_moe_gpt(gpt().config, 2, top_k=4), ValueError, r"top_k must be <= 2"),
    ("moe-aux-coef", "moe.with_aux_loss", lambda: moe.with_aux_loss(-0.1), ValueError, r"coef must be >= 0"),
    ("moe-stats-empty", "moe.load_stats", lambda: moe.load_stats(torch.zeros(3)), ValueError, r"positive sum"),
    ("moe-stats-rank", "moe.load_stats", lambda: moe.load_stats(torch.ones(2, 2)), ValueError, r"counts must have 1 dimensions"),
]
