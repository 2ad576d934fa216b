"""Mixture of experts: a feed-forward layer made of several expert MLPs, of which each token uses only k.

A small linear *router* scores the experts for every token; the token is sent to its top-k experts and
their outputs are mixed with the router's weights. The layer holds E times the parameters of one MLP
but each token runs through only k of them, so parameters (capacity) and compute per token come apart.
Switch Transformer (Fedus et al. 2021, arXiv:2101.03961) routes to k=1 expert; Mixtral (Jiang et al.
2024, arXiv:2401.04088) to k=2 of 8.

A router left alone tends to favour a few experts (they get more gradient, so they get better, so they
get more tokens). Switch's auxiliary load-balancing loss (its eq. 4) pushes towards an even split:
    aux = E · Σ_i f_i · P_i
with f_i the fraction of routed token slots that went to expert i and P_i the mean router probability of
expert i. It equals 1 when both are uniform and grows as the load concentrates.

This layer drops no tokens (no capacity limit): every token reaches its k experts, whatever the load.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .checks import check_float, check_int, check_tensor
from .layers import ACTIVATIONS, FeedForward


class MoEFeedForward(nn.Module):
    """Top-k routed mixture of `n_experts` FeedForward MLPs d -> d_ff -> d, a drop-in for FeedForward.

    After each forward pass, `aux_loss` holds the Switch load-balancing loss of that batch (a scalar
    with gradient) and `tokens_per_expert` the number of token slots each expert received.
    Gates: the router probability of the chosen expert for k=1 (Switch); for k>1 the chosen experts'
    probabilities renormalised to sum to 1 (Mixtral).
    """

    def __init__(self, d_model: int, d_ff: int, n_experts: int, top_k: int = 1, activation: str = "gelu",
                 dropout: float = 0.0):
        super().__init__()
        check_int("d_model", d_model, minimum=1)
        check_int("d_ff", d_ff, minimum=1)
        check_int("n_experts", n_experts, minimum=1)
        check_int("top_k", top_k, minimum=1, maximum=n_experts)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
        check_float("dropout", dropout, minimum=0.0, maximum=0.99)
        self.d_model, self.n_experts, self.top_k = d_model, n_experts, top_k
        self.router = nn.Linear(d_model, n_experts, bias=False)
        self.experts = nn.ModuleList(FeedForward(d_model, d_ff, dropout, activation) for _ in range(n_experts))
        self.aux_loss: torch.Tensor = torch.zeros(())
        self.tokens_per_expert: torch.Tensor = torch.zeros(n_experts, dtype=torch.long)

    def route(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x [N, d] -> (router probabilities [N, E], chosen experts [N, k], their gates [N, k])."""
        check_tensor("x", x, ndim=2, last_dim=self.d_model, floating=True, shape_hint="[tokens, d_model]")
        logits = self.router(x)
        probs = F.softmax(logits.float() if logits.dtype in (torch.float16, torch.bfloat16) else logits, dim=-1)
        top_p, top_i = probs.topk(self.top_k, dim=-1)
        gates = top_p if self.top_k == 1 else top_p / top_p.sum(-1, keepdim=True)
        return probs, top_i, gates.to(x.dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x [..., d_model] -> [..., d_model]: each token's output is the gated sum of its k experts."""
        check_tensor("x", x, min_ndim=1, last_dim=self.d_model, floating=True, shape_hint="[..., d_model]")
        flat = x.reshape(-1, self.d_model)
        probs, top_i, gates = self.route(flat)
        out = torch.zeros_like(flat)
        for e, expert in enumerate(self.experts):
            token, slot = (top_i == e).nonzero(as_tuple=True)   # the tokens that chose expert e, and in which slot
            if token.numel():
                out.index_add_(0, token, expert(flat[token]) * gates[token, slot, None])
        counts = torch.bincount(top_i.flatten(), minlength=self.n_experts)
        self.tokens_per_expert = counts.detach()
        f = counts.to(probs.dtype) / top_i.numel()
        self.aux_loss = self.n_experts * (f * probs.mean(0)).sum()
        return out.reshape(x.shape)

    def total_params(self) -> int:
        """Parameters stored: the router and every expert."""
        return sum(p.numel() for p in self.parameters())

    def active_params(self) -> int:
        """Parameters one token runs through: the router and k experts."""
        one = sum(p.numel() for p in self.experts[0].parameters())
        return self.router.weight.numel() + self.top_k * one


def moe_forward_reference(layer: MoEFeedForward, x: torch.Tensor) -> torch.Tensor:
    """The same layer computed one token at a time, with no batching tricks (the test's independent check)."""
    if not isinstance(layer, MoEFeedForward):
        raise TypeError(f"layer must be a MoEFeedForward, got {type(layer).__name__}")
    check_tensor("x", x, min_ndim=1, last_dim=layer.d_model, floating=True, shape_hint="[..., d_model]")
    rows = []
    for token in x.reshape(-1, layer.d_model):
        p = F.softmax(token @ layer.router.weight.T, dim=-1)
        chosen = sorted(range(layer.n_experts), key=lambda i: -p[i].item())[: layer.top_k]
        weights = [p[i] for i in chosen]
        if layer.top_k > 1:
            total = sum(weights)
            weights = [w / total for w in weights]
        rows.append(sum(w * layer.experts[i](token) for i, w in zip(chosen, weights)))
    return torch.stack(rows).reshape(x.shape)


def moe_layers(model: nn.Module) -> list[MoEFeedForward]:
    """Every MoEFeedForward inside `model`."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    return [m for m in model.modules() if isinstance(m, MoEFeedForward)]


def make_moe_gpt(config, n_experts: int, top_k: int = 1, d_ff: int | None = None) -> nn.Module:
    """The library's GPT with every block's feed-forward replaced by a MoEFeedForward (same d_ff by default).

    Experts are initialised like GPT's own MLPs (normal 0.02, output layer scaled by 1/sqrt(2·layers)).
    """
    from .models import GPT, GPTConfig
    if not isinstance(config, GPTConfig):
        raise TypeError(f"config must be a GPTConfig, got {type(config).__name__}")
    check_int("n_experts", n_experts, minimum=1)
    check_int("top_k", top_k, minimum=1, maximum=n_experts)
    d_ff = 4 * config.d_model if d_ff is None else check_int("d_ff", d_ff, minimum=1)
    model = GPT(config)
    for block in model.blocks:
        block.ff = MoEFeedForward(config.d_model, d_ff, n_experts, top_k, activation="gelu", dropout=config.dropout)
        for name, p in block.ff.named_parameters():
            std = 0.02 / (2 * config.n_layer) ** 0.5 if name.endswith("linear2.weight") else 0.02
            if p.ndim > 1:
                nn.init.normal_(p, 0.0, std)
            else:
                nn.init.zeros_(p)
    return model


def with_aux_loss(coef: float):
    """A loss function for `train.train`: the model's loss plus coef × the mean aux loss of its MoE layers."""
    check_float("coef", coef, minimum=0.0)

    def loss_fn(model: nn.Module, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        loss = model(*batch)[1]
        layers = moe_layers(model)
        if coef and layers:
            loss = loss + coef * torch.stack([m.aux_loss for m in layers]).mean()
        return loss
    return loss_fn


def load_stats(counts: torch.Tensor) -> dict:
    """Summary of tokens per expert: the busiest expert's share, and max load over the mean (1.0 = even)."""
    check_tensor("counts", counts, ndim=1, shape_hint="[n_experts]")
    if counts.numel() == 0 or bool((counts < 0).any()) or float(counts.sum()) <= 0:
        raise ValueError(f"counts must be a non-empty tensor of non-negative counts with a positive sum, got {counts}")
    c = counts.double()
    return {"max_share": float(c.max() / c.sum()), "max_over_mean": float(c.max() / c.mean()),
            "min_share": float(c.min() / c.sum())}
