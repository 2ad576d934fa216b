"""Generation and decoding say what they do (issue 12, items 3, 4, 7 and 10).

- `GPT.generate` with and without the KV cache give the same tokens, and both follow the documented rule
  (the model sees the last block_size tokens), on a model whose next token depends on its whole context.
- `MultiHeadAttention` honours a padding mask while decoding with a cache.
- A model is back in its training mode when generation or decoding raises.
- `GPT.forward` has no host sync (0 graph breaks under torch.compile), and bad ids still fail clearly on CPU.
"""
import math

import pytest
import torch

from bigmodel_lib.attention import MultiHeadAttention, padding_mask
from bigmodel_lib.layers import LearnedPositionalEncoding
from bigmodel_lib.models import GPT, GPTConfig, Transformer

V, BLOCK = 50, 8


def context_model(seed: int = 0) -> GPT:
    """A GPT whose next token depends on every token and position of its window: random weights at a scale
    large enough that the residual stream is not just the last token's embedding (an untrained GPT at its
    usual 0.02 scale only repeats its last token, so any cache bug would go unseen). float64, so rounding
    differences between the cached and uncached computations cannot flip an argmax."""
    torch.manual_seed(seed)
    m = GPT(GPTConfig(vocab_size=V, block_size=BLOCK, n_layer=2, n_head=4, d_model=32, tie_weights=False))
    with torch.no_grad():
        for name, p in m.named_parameters():
            if p.ndim >= 2:
                p.normal_(0.0, 1.0 if "emb" in name else 2.0 / math.sqrt(p.shape[1]))
            elif name.endswith("bias"):
                p.normal_(0.0, 0.5)
    return m.double().eval()


def sliding_window_reference(model: GPT, idx: torch.Tensor, n: int) -> torch.Tensor:
    """The documented rule written out: each new token is the argmax given the last block_size tokens."""
    for _ in range(n):
        logits, _ = model(idx[:, -model.config.block_size:])
        idx = torch.cat([idx, logits[:, -1].argmax(-1, keepdim=True)], 1)
    return idx


PROMPTS = [3, BLOCK - 1, BLOCK, BLOCK + 5]   # shorter than, one short of, equal to and longer than the window


@pytest.fixture(scope="module")
def model():
    return context_model()


def test_the_model_depends_on_its_context(model):
    """Guard for the test itself: the predictions change with the oldest token of the window and with
    position, and generation does not collapse into repeating one token."""
    g = torch.Generator().manual_seed(1)
    p = torch.randint(0, V, (16, BLOCK), generator=g)
    q = p.clone()
    q[:, 0] = (q[:, 0] + 1) % V
    a = model(p)[0][:, -1].argmax(-1)
    b = model(q)[0][:, -1].argmax(-1)
    assert (a != b).sum() >= 3, "changing the oldest token should change some predictions"
    shifted = model(p[:, 1:])[0][:, -1].argmax(-1)    # the same last 7 tokens at other positions
    assert (shifted != a).sum() >= 3
    out = sliding_window_reference(model, p[:4, :3], 3 * BLOCK)
    assert all(len(set(row.tolist()[3:])) >= 3 for row in out)


def _check_cache_equals_no_cache(model):
    g = torch.Generator().manual_seed(2)
    for plen in PROMPTS:
        prompt = torch.randint(0, V, (3, plen), generator=g)
        n = 2 * BLOCK + 3                                   # runs well past the window
        ref = sliding_window_reference(model, prompt, n)
        cached = model.generate(prompt, n, temperature=0.0, use_cache=True)
        uncached = model.generate(prompt, n, temperature=0.0, use_cache=False)
        assert torch.equal(uncached, ref), f"uncached generation breaks the rule (prompt of {plen})"
        assert torch.equal(cached, ref), f"cached generation differs (prompt of {plen}): " \
            f"first difference at position {int((cached != ref).any(0).nonzero()[0])}"


def test_cached_and_uncached_greedy_generation_agree(model):
    _check_cache_equals_no_cache(model)


def test_cached_and_uncached_sampling_agree(model):
    prompt = torch.randint(0, V, (2, 5), generator=torch.Generator().manual_seed(3))
    a = model.generate(prompt, 20, temperature=1.0, top_k=10, use_cache=True,
                       generator=torch.Generator().manual_seed(4))
    b = model.generate(prompt, 20, temperature=1.0, top_k=10, use_cache=False,
                       generator=torch.Generator().manual_seed(4))
    assert torch.equal(a, b)


def test_a_cache_that_ignores_the_position_offset_is_caught(model, monkeypatch):
    """Break the cache on purpose: every cached step embeds its token at position 0. The test must fail."""
    real = LearnedPositionalEncoding.forward
    monkeypatch.setattr(LearnedPositionalEncoding, "forward", lambda self, x, offset=0: real(self, x, 0))
    with pytest.raises(AssertionError, match="cached generation differs"):
        _check_cache_equals_no_cache(model)


def test_padding_mask_is_honoured_when_decoding_with_a_cache():
    torch.manual_seed(0)
    mha = MultiHeadAttention(16, 4).eval()
    x = torch.randn(3, 7, 16)
    tokens = torch.ones(3, 7, dtype=torch.long)
    tokens[1, :2] = 0          # left padding
    tokens[2, 3] = 0           # a hole in the middle
    mask = padding_mask(tokens)                       # [B, 1, 1, T]
    full, _ = mha(x, mask=mask, is_causal=True)
    cache: dict = {}
    steps = [mha(x[:, :3], mask=mask[..., :3], is_causal=True, cache=cache)[0]]
    for t in range(3, 7):
        steps.append(mha(x[:, t:t + 1], mask=mask[..., :t + 1], is_causal=True, cache=cache)[0])
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=1e-5, rtol=0)
    # the weights path too
    cache = {}
    mha(x[:, :6], mask=mask[..., :6], is_causal=True, cache=cache)
    last, w = mha(x[:, 6:], mask=mask, is_causal=True, cache=cache, need_weights=True)
    torch.testing.assert_close(last, full[:, 6:], atol=1e-5, rtol=0)
    assert torch.all(w[2, :, 0, 3] == 0)


def _raise(*_):
    raise RuntimeError("boom")


def test_generate_restores_training_mode_when_it_raises():
    m = GPT(GPTConfig(vocab_size=V, block_size=BLOCK, n_layer=1, n_head=2, d_model=16)).train()
    m.blocks[0].register_forward_pre_hook(_raise)
    for use_cache in (True, False):
        with pytest.raises(RuntimeError, match="boom"):
            m.generate(torch.zeros(1, 2, dtype=torch.long), 3, use_cache=use_cache)
        assert m.training


def test_greedy_decode_restores_training_mode_when_it_raises():
    m = Transformer(12, d_model=16, n_heads=2, n_layers=1).train()
    m.decoder[0].register_forward_pre_hook(_raise)
    with pytest.raises(RuntimeError, match="boom"):
        m.greedy_decode(torch.full((2, 4), 5), 3)
    assert m.training


def test_gpt_forward_compiles_without_graph_breaks():
    """No .tolist()/.item() in the forward: under torch.compile that is a graph break, on a GPU a host sync."""
    torch._dynamo.reset()
    m = GPT(GPTConfig(vocab_size=V, block_size=BLOCK, n_layer=2, n_head=2, d_model=16))
    idx = torch.randint(0, V, (2, BLOCK))
    explanation = torch._dynamo.explain(m)(idx, idx)
    reasons = [str(getattr(b, "reason", b))[:120] for b in explanation.break_reasons]
    assert explanation.graph_break_count == 0, reasons
    assert explanation.graph_count == 1
    torch._dynamo.reset()


@pytest.mark.parametrize("bad", [V, -1])
def test_bad_token_ids_still_fail_clearly_on_cpu(bad):
    m = GPT(GPTConfig(vocab_size=V, block_size=BLOCK, n_layer=1, n_head=2, d_model=16))
    ids = torch.tensor([[1, 2, bad]])
    with pytest.raises(ValueError, match=r"idx ids must be in \[0, 50\)"):
        m(ids)
    with pytest.raises(ValueError, match=r"targets ids must be in \[0, 50\)"):
        m(torch.tensor([[1, 2, 3]]), ids)
    with pytest.raises(ValueError, match=r"idx ids must be in \[0, 50\)"):
        m.generate(ids, 2)
