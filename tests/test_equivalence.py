"""The library's attention and layers compute exactly what torch's own modules compute (CPU fp32, 1e-5)."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from bigmodel_lib.attention import MultiHeadAttention, causal_mask, padding_mask, scaled_dot_product_attention
from bigmodel_lib.layers import DecoderLayer, EncoderLayer, copy_from_torch

ATOL = 1e-5


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def qkv(b=2, h=3, tq=5, tk=7, d=8):
    return torch.randn(b, h, tq, d), torch.randn(b, h, tk, d), torch.randn(b, h, tk, d)


def test_sdpa_no_mask():
    q, k, v = qkv()
    out, w = scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v), atol=ATOL, rtol=0)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3, 5), atol=ATOL, rtol=0)


def test_sdpa_bool_mask():
    q, k, v = qkv()
    mask = torch.rand(2, 1, 5, 7) > 0.3
    mask[..., 0] = True  # every row sees something, so torch's output is defined
    out, _ = scaled_dot_product_attention(q, k, v, mask=mask)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask), atol=ATOL, rtol=0)


def test_sdpa_causal():
    q, k, v = qkv(tq=6, tk=6)
    out, w = scaled_dot_product_attention(q, k, v, mask=causal_mask(6))
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=ATOL, rtol=0)
    assert torch.all(w.triu(1) == 0)


def test_fully_masked_row_is_zero_not_nan():
    q, k, v = qkv(tq=3, tk=4)
    mask = torch.ones(3, 4, dtype=torch.bool)
    mask[1] = False
    out, w = scaled_dot_product_attention(q, k, v, mask=mask)
    assert torch.isfinite(out).all() and torch.isfinite(w).all()
    assert torch.all(out[:, :, 1] == 0) and torch.all(w[:, :, 1] == 0)
    mha = MultiHeadAttention(8, 2).eval()
    x = torch.randn(2, 3, 8)
    fast, _ = mha(x, mask=mask[:3, :3].clone().fill_(True).index_fill_(0, torch.tensor([1]), False))
    slow, _ = mha(x, mask=mask[:3, :3].clone().fill_(True).index_fill_(0, torch.tensor([1]), False), need_weights=True)
    assert torch.isfinite(fast).all()
    torch.testing.assert_close(fast, slow, atol=ATOL, rtol=0)


def test_padding_mask_shape_and_values():
    tokens = torch.tensor([[5, 6, 0], [7, 0, 0]])
    m = padding_mask(tokens)
    assert m.shape == (2, 1, 1, 3)
    assert m[0, 0, 0].tolist() == [True, True, False]


def _torch_mha(ours: MultiHeadAttention) -> nn.MultiheadAttention:
    ref = nn.MultiheadAttention(ours.d_model, ours.n_heads, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(ours.in_proj.weight)
        ref.in_proj_bias.copy_(ours.in_proj.bias)
        ref.out_proj.load_state_dict(ours.out_proj.state_dict())
    return ref


@pytest.mark.parametrize("need_weights", [False, True])
def test_mha_self_attention_matches_torch(need_weights):
    ours = MultiHeadAttention(16, 4)
    ref = _torch_mha(ours)
    x = torch.randn(3, 6, 16)
    tokens = torch.tensor([[1] * 6, [1] * 4 + [0] * 2, [1] * 2 + [0] * 4])
    out, w = ours(x, mask=padding_mask(tokens), need_weights=need_weights)
    exp, exp_w = ref(x, x, x, key_padding_mask=tokens == 0, need_weights=True, average_attn_weights=False)
    torch.testing.assert_close(out, exp, atol=ATOL, rtol=0)
    if need_weights:
        torch.testing.assert_close(w, exp_w, atol=ATOL, rtol=0)


def test_mha_causal_and_cross_match_torch():
    ours = MultiHeadAttention(16, 4)
    ref = _torch_mha(ours)
    x, mem = torch.randn(2, 5, 16), torch.randn(2, 9, 16)
    out, _ = ours(x, is_causal=True)
    exp, _ = ref(x, x, x, attn_mask=~causal_mask(5), need_weights=False)
    torch.testing.assert_close(out, exp, atol=ATOL, rtol=0)
    out, _ = ours(x, mem)
    exp, _ = ref(x, mem, mem, need_weights=False)
    torch.testing.assert_close(out, exp, atol=ATOL, rtol=0)


def test_kv_cache_matches_full_causal_attention():
    ours = MultiHeadAttention(16, 4).eval()
    x = torch.randn(2, 7, 16)
    full, _ = ours(x, is_causal=True)
    cache: dict = {}
    first, _ = ours(x[:, :4], is_causal=True, cache=cache)
    steps = [first] + [ours(x[:, t:t + 1], is_causal=True, cache=cache)[0] for t in range(4, 7)]
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=ATOL, rtol=0)
    # several new queries at once over a non-empty cache use the offset causal mask
    cache = {}
    ours(x[:, :3], is_causal=True, cache=cache)
    rest, _ = ours(x[:, 3:], is_causal=True, cache=cache)
    torch.testing.assert_close(rest, full[:, 3:], atol=ATOL, rtol=0)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_matches_torch(norm_first):
    ref = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True, norm_first=norm_first).eval()
    ours = copy_from_torch(EncoderLayer(32, 4, 64, dropout=0.0, norm_first=norm_first), ref).eval()
    x = torch.randn(3, 10, 32)
    tokens = torch.ones(3, 10, dtype=torch.long)
    tokens[1, 7:] = 0
    torch.testing.assert_close(ours(x, mask=padding_mask(tokens)), ref(x, src_key_padding_mask=tokens == 0),
                               atol=ATOL, rtol=0)
    torch.testing.assert_close(ours(x, is_causal=True), ref(x, src_mask=~causal_mask(10)), atol=ATOL, rtol=0)
    ours.train(), ref.train()  # training mode takes torch's slow path: must match too
    torch.testing.assert_close(ours(x), ref(x), atol=ATOL, rtol=0)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_matches_torch(norm_first):
    ref = nn.TransformerDecoderLayer(32, 4, 64, dropout=0.0, batch_first=True, norm_first=norm_first).eval()
    ours = copy_from_torch(DecoderLayer(32, 4, 64, dropout=0.0, norm_first=norm_first), ref).eval()
    x, mem = torch.randn(2, 6, 32), torch.randn(2, 9, 32)
    src = torch.ones(2, 9, dtype=torch.long)
    src[0, 5:] = 0
    out = ours(x, mem, memory_mask=padding_mask(src), is_causal=True)
    exp = ref(x, mem, tgt_mask=~causal_mask(6), memory_key_padding_mask=src == 0)
    torch.testing.assert_close(out, exp, atol=ATOL, rtol=0)


def test_copy_from_torch_rejects_wrong_pair():
    with pytest.raises(TypeError, match="copy_from_torch"):
        copy_from_torch(EncoderLayer(8, 2), nn.TransformerDecoderLayer(8, 2))


@pytest.mark.parametrize("kind", ["encoder", "decoder"])
@pytest.mark.parametrize("diff,pattern", [
    (dict(activation="gelu"), r"activation: ours 'relu', torch's 'gelu'"),
    (dict(norm_first=True), r"norm_first: ours False, torch's True"),
    (dict(layer_norm_eps=1e-6), r"eps: ours 1e-05, torch's 1e-06"),
    (dict(batch_first=False), r"batch_first: ours True, torch's False"),
    (dict(bias=False), r"bias: ours True, torch's False"),
    (dict(nhead=4), r"heads: ours 2, torch's 4"),
])
def test_copy_from_torch_refuses_a_layer_that_computes_another_function(kind, diff, pattern):
    """Copying weights between layers that differ in activation, norm placement, eps or layout would
    silently give another function: refuse with the difference named."""
    ours_cls, torch_cls = (EncoderLayer, nn.TransformerEncoderLayer) if kind == "encoder" else \
        (DecoderLayer, nn.TransformerDecoderLayer)
    kw = dict(d_model=16, nhead=2, dim_feedforward=32, dropout=0.0, batch_first=True)
    kw.update(diff)
    with pytest.raises(ValueError, match=pattern):
        copy_from_torch(ours_cls(16, 2, 32, dropout=0.0), torch_cls(**kw))


def test_copy_from_torch_accepts_matching_gelu_and_eps():
    ref = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True, activation="gelu",
                                     layer_norm_eps=1e-6, norm_first=True).eval()
    ours = copy_from_torch(EncoderLayer(16, 2, 32, dropout=0.0, norm_first=True, activation="gelu", eps=1e-6), ref)
    x = torch.randn(2, 5, 16)
    torch.testing.assert_close(ours.eval()(x), ref(x), atol=ATOL, rtol=0)
