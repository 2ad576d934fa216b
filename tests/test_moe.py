"""The mixture-of-experts layer against independent references: a dense MLP, and a per-token loop."""
import pytest
import torch

from bigmodel_lib.layers import FeedForward
from bigmodel_lib.models import GPTConfig
from bigmodel_lib.moe import MoEFeedForward, load_stats, make_moe_gpt, moe_forward_reference, moe_layers, with_aux_loss


def test_one_expert_top1_is_the_dense_mlp():
    torch.manual_seed(0)
    moe = MoEFeedForward(8, 32, n_experts=1, top_k=1, activation="gelu")
    dense = FeedForward(8, 32, activation="gelu")
    dense.load_state_dict(moe.experts[0].state_dict())
    x = torch.randn(3, 5, 8)
    torch.testing.assert_close(moe(x), dense(x), atol=1e-6, rtol=1e-6)
    assert moe.tokens_per_expert.tolist() == [15]
    assert moe.aux_loss.item() == pytest.approx(1.0)


@pytest.mark.parametrize("n_experts, top_k", [(4, 1), (4, 2), (5, 3)])
def test_batched_routing_equals_the_per_token_loop(n_experts, top_k):
    torch.manual_seed(n_experts + top_k)
    moe = MoEFeedForward(6, 12, n_experts=n_experts, top_k=top_k)
    x = torch.randn(2, 7, 6, dtype=torch.float64)
    moe.double()
    torch.testing.assert_close(moe(x), moe_forward_reference(moe, x), atol=1e-10, rtol=1e-10)
    assert int(moe.tokens_per_expert.sum()) == 14 * top_k


def test_gradients_reach_router_and_chosen_experts_only():
    torch.manual_seed(1)
    moe = MoEFeedForward(4, 8, n_experts=3, top_k=1)
    x = torch.randn(1, 4)
    moe(x).sum().backward()
    used = int(moe.route(x)[1])
    assert moe.router.weight.grad.abs().sum() > 0
    for e, expert in enumerate(moe.experts):
        g = expert.linear1.weight.grad
        assert (g is not None and g.abs().sum() > 0) == (e == used)


def test_param_counts_total_and_active():
    moe = MoEFeedForward(16, 64, n_experts=8, top_k=2)
    one = 16 * 64 + 64 + 64 * 16 + 16
    assert moe.total_params() == 8 * one + 16 * 8
    assert moe.active_params() == 2 * one + 16 * 8


def test_aux_loss_is_one_when_uniform_and_larger_when_concentrated():
    moe = MoEFeedForward(4, 8, n_experts=4, top_k=1)
    with torch.no_grad():
        moe.router.weight.zero_()
        moe.router.weight[0, 0] = 10.0          # every token with a positive first feature goes to expert 0
    x = torch.randn(200, 4).abs()
    moe(x)
    assert load_stats(moe.tokens_per_expert)["max_share"] == 1.0
    assert moe.aux_loss.item() > 3.0            # E · f_0 · P_0 -> about 4 when all load sits on one expert


def test_moe_gpt_trains_with_the_aux_loss():
    torch.manual_seed(0)
    m = make_moe_gpt(GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, d_model=8), n_experts=4)
    assert len(moe_layers(m)) == 2
    x = torch.randint(0, 11, (3, 8))
    plain = m(x, x)[1]
    total = with_aux_loss(0.5)(m, (x, x))
    aux = torch.stack([layer.aux_loss for layer in moe_layers(m)]).mean()
    assert total.item() == pytest.approx((plain + 0.5 * aux).item(), rel=1e-6)
    total.backward()
    assert all(layer.router.weight.grad is not None for layer in moe_layers(m))
