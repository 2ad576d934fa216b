"""Exercises of chapter 08 (scaling laws and efficient algorithms)."""
from __future__ import annotations

import math

from ..i18n import tr
from . import Result, run_check, verdict


def exercise_1(fn) -> Result:
    """alpha_from_two_points(n1, loss1, n2, loss2) = -ln(loss2/loss1) / ln(n2/n1)."""
    name = "08.1 exponent from two points"

    def check(f):
        cases = [(1e6, 3.0, 1e7, 3.0 * 10 ** -0.076), (1e3, 2.5, 1e5, 2.0), (5e4, 4.0, 2e5, 3.5)]
        got = [float(f(*c)) for c in cases]
        want = [-math.log(l2 / l1) / math.log(n2 / n1) for n1, l1, n2, l2 in cases]
        ok = all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(got, want))
        return verdict(name, ok, tr("right: on log-log axes a power law is a straight line, and -α is its slope."),
                       tr("for {case} you gave {got:.4g}, expected {want:.4g}. Take logs: "
                          "ln L = ln a - α ln N, so α = -Δln L / Δln N.", case=cases[1], got=got[1], want=want[1]))
    return run_check(name, fn, check)


def exercise_2(answer) -> Result:
    """20 tokens per parameter and C = 6·N·D -> N = sqrt(C/120), D = 20·N."""
    name = "08.2 compute-optimal split"

    def check(a):
        n, d = (float(v) for v in a)
        wn = math.sqrt(1e24 / 120)
        ok = math.isclose(n, wn, rel_tol=0.01) and math.isclose(d, 20 * wn, rel_tol=0.01)
        return verdict(name, ok, tr("right: N ≈ {n:.3g} parameters on D ≈ {d:.3g} tokens.", n=wn, d=20 * wn),
                       tr("you gave N = {n:.3g}, D = {d:.3g}. Put D = 20·N into C = 6·N·D: C = 120·N².", n=n, d=d))
    return run_check(name, answer, check)


def exercise_3(fn) -> Result:
    """positions_processed(n, use_cache): n(n+1)/2 without a cache, n with one."""
    name = "08.3 work of generation"

    def check(f):
        ns = [1, 10, 127]
        got = [(int(f(n, False)), int(f(n, True))) for n in ns]
        want = [(n * (n + 1) // 2, n) for n in ns]
        return verdict(name, got == want, tr("right: without a cache step t reruns all t positions (n(n+1)/2 in "
                                             "all); with one, each step runs only the newest token."),
                       tr("for n = {ns} you gave {got}, expected {want}.", ns=ns, got=got, want=want))
    return run_check(name, fn, check)


def _switch_aux(logits, n_experts):
    import torch
    probs = torch.softmax(logits.double(), -1)
    f = torch.bincount(probs.argmax(-1), minlength=n_experts).double() / logits.shape[0]
    return float(n_experts * (f * probs.mean(0)).sum())


def exercise_4(fn) -> Result:
    """switch_aux_loss(router_logits [N, E]) -> float: E · Σ_i f_i · P_i with top-1 routing (Switch, eq. 4)."""
    import torch
    name = "08.4 the balancing loss"

    def check(f):
        g = torch.Generator().manual_seed(8)
        cases = [torch.randn(50, 4, generator=g), 3 * torch.randn(7, 8, generator=g), torch.zeros(10, 5)]
        cases[2][:, 0] = 5.0                                   # every token prefers expert 0
        for logits in cases:
            n, e = logits.shape
            got, want = float(f(logits.clone())), _switch_aux(logits, e)
            if math.isclose(got, want, rel_tol=1e-5):
                continue
            probs = torch.softmax(logits.double(), -1)
            soft = float(e * (probs.mean(0) ** 2).sum())
            if math.isclose(got, soft, rel_tol=1e-5):
                return Result(name, False, tr("you used the mean probability for f_i too; f_i counts the tokens "
                                              "whose top-1 expert is i (argmax), divided by the number of tokens."))
            if math.isclose(got, want / e, rel_tol=1e-5):
                return Result(name, False, tr("missing the factor E (the number of experts): with it, a perfectly "
                                              "even split gives 1 whatever E is."))
            return Result(name, False, tr("for router logits of shape {shape} you gave {got:.4g}, expected "
                                          "{want:.4g}. P_i: softmax over experts, averaged over tokens; f_i: fraction "
                                          "of tokens whose argmax is i; loss = E · Σ f_i P_i.",
                                          shape=tuple(logits.shape), got=got, want=want))
        return verdict(name, True, tr("right: f (hard counts) carries no gradient, P (soft probabilities) does, so "
                                      "the loss pushes the router's probabilities away from the experts that already "
                                      "get many tokens."), "")
    return run_check(name, fn, check)


def exercise_5(run) -> Result:
    """Explore: a (moe_model, data, dense_loss) triple whose busiest expert takes <= 35% of the tokens in every
    layer while the validation loss stays within 0.2 of the dense model's."""
    import torch
    name = "08.5 balance the experts"

    def check(r):
        from ..moe import moe_layers
        from ..train import TrainConfig, evaluate
        model, data, dense_loss = r
        layers = moe_layers(model)
        if not layers:
            return Result(name, False, tr("the model has no MoEFeedForward layers: build it with make_moe_gpt"))
        dev = next(model.parameters()).device
        shares = []
        with torch.no_grad():
            model.eval()
            for i in range(4):
                x, y = data.get_batch("val", torch.Generator().manual_seed(1000 + i))
                model(x.to(dev), y.to(dev))
                shares.append(max(float(m.tokens_per_expert.max() / m.tokens_per_expert.sum()) for m in layers))
        share = max(shares)
        loss = evaluate(model, data, TrainConfig(eval_batches=20, device=str(dev), progress=False), dev)
        ok = share <= 0.35 and loss <= float(dense_loss) + 0.2
        return verdict(name, ok, tr("reached: busiest expert {share:.0%}, validation loss {loss:.3f} (dense "
                                    "{dense:.3f}).", share=share, loss=loss, dense=float(dense_loss)),
                       tr("busiest expert {share:.0%} (goal <= 35%), validation loss {loss:.3f} (goal <= "
                          "{goal:.3f}). A larger balancing coefficient evens the load; too large "
                          "and the router stops routing by content.", share=share, loss=loss,
                          goal=float(dense_loss) + 0.2))
    return run_check(name, run, check)
