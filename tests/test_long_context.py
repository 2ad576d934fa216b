"""RoPE GPT and per-position losses (chapter 08's long-context measurement)."""
import torch
import torch.nn.functional as F

from bigmodel_lib.long_context import make_rope_gpt, position_losses
from bigmodel_lib.models import GPT, GPTConfig, count_parameters
from bigmodel_lib.rope import apply_rotary

CFG = GPTConfig(vocab_size=13, block_size=16, n_layer=2, n_head=2, d_model=16)


def test_rope_gpt_swaps_only_the_positions():
    torch.manual_seed(0)
    rope, learned = make_rope_gpt(CFG), GPT(CFG)
    assert count_parameters(learned) - count_parameters(rope) == CFG.block_size * CFG.d_model
    x = torch.randint(0, 13, (2, 16))
    logits, loss = rope(x, x)
    assert logits.shape == (2, 16, 13) and torch.isfinite(loss)
    assert all(b.self_attn.rope is not None for b in rope.blocks)


def test_rotary_scores_depend_only_on_the_distance():
    """The property that makes RoPE relative: q_i·k_j is unchanged when both positions shift by the same amount."""
    rope = make_rope_gpt(CFG).blocks[0].self_attn.rope
    q, k = torch.randn(8), torch.randn(8)
    cos, sin = rope(16)
    def score(i, j):
        qi = apply_rotary(q[None], cos[i:i + 1], sin[i:i + 1])[0]
        kj = apply_rotary(k[None], cos[j:j + 1], sin[j:j + 1])[0]
        return float(qi @ kj)
    assert abs(score(5, 2) - score(12, 9)) < 1e-5
    assert abs(score(5, 2) - score(5, 4)) > 1e-4


def test_position_losses_equal_a_direct_computation():
    torch.manual_seed(1)
    m = GPT(CFG)
    tokens = torch.randint(0, 13, (200,))
    got = position_losses(m, tokens, 16, n_seqs=3, seed=4)
    starts = torch.randint(0, 200 - 16, (3,), generator=torch.Generator().manual_seed(4))
    x = torch.stack([tokens[s:s + 16] for s in starts])
    y = torch.stack([tokens[s + 1:s + 17] for s in starts])
    with torch.no_grad():
        want = F.cross_entropy(m(x)[0].transpose(1, 2), y, reduction="none").mean(0)
    torch.testing.assert_close(got, want)
