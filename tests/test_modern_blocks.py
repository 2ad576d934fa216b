"""The modern block's pieces against independent references: RMSNorm vs torch.nn.RMSNorm, RoPE vs transformers'
Llama rotary code, grouped-query attention vs an explicit per-head loop, SwiGLU vs transformers' LlamaMLP, and the
KV cache: decoding token by token equals the full pass, and its size is what kv_cache_bytes says."""
import math
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest
import torch

from bigmodel_lib.decoder import DecoderBlock, gpt_block, llama_block
from bigmodel_lib.gqa import GroupedQueryAttention, kv_cache_bytes, repeat_kv
from bigmodel_lib.llama import Llama, LlamaConfig
from bigmodel_lib.norms import RMSNorm
from bigmodel_lib.rope import RotaryEmbedding, apply_rotary
from bigmodel_lib.swiglu import SwiGLU

ATOL = 1e-5


@pytest.fixture(scope="module")
def hf_llama():
    pytest.importorskip("transformers")
    from transformers.models.llama import modeling_llama
    return modeling_llama


def test_rmsnorm_matches_torch():
    torch.manual_seed(0)
    ours, ref = RMSNorm(24, eps=1e-5), torch.nn.RMSNorm(24, eps=1e-5)
    with torch.no_grad():
        ours.weight.normal_()
        ref.weight.copy_(ours.weight)
    x = torch.randn(3, 5, 24) * 4
    torch.testing.assert_close(ours(x), ref(x), atol=ATOL, rtol=1e-5)
    y = RMSNorm(24)(x)
    assert torch.allclose(y.pow(2).mean(-1), torch.ones(3, 5), atol=1e-4)   # unit root-mean-square
    assert RMSNorm(24).bfloat16()(x.bfloat16()).dtype == torch.bfloat16


def test_rope_matches_transformers(hf_llama):
    from transformers import LlamaConfig as HFConfig
    head_dim, T, offset = 16, 7, 5
    cfg = HFConfig(hidden_size=64, num_attention_heads=4, max_position_embeddings=64)
    cfg.rope_parameters = {"rope_type": "default", "rope_theta": 500.0}
    theirs = hf_llama.LlamaRotaryEmbedding(cfg)
    ours = RotaryEmbedding(head_dim, max_len=64, base=500.0)
    q, k = torch.randn(2, 4, T, head_dim), torch.randn(2, 2, T, head_dim)
    pos = torch.arange(offset, offset + T)[None]
    cos_t, sin_t = theirs(q, pos)
    cos, sin = ours(T, offset=offset)
    torch.testing.assert_close(cos, cos_t[0], atol=0, rtol=0)
    torch.testing.assert_close(sin, sin_t[0], atol=0, rtol=0)
    q_t, _ = hf_llama.apply_rotary_pos_emb(q, q, cos_t, sin_t)
    _, k_t = hf_llama.apply_rotary_pos_emb(k, k, cos_t, sin_t)
    torch.testing.assert_close(apply_rotary(q, cos, sin), q_t, atol=ATOL, rtol=0)
    torch.testing.assert_close(apply_rotary(k, cos, sin), k_t, atol=ATOL, rtol=0)


def test_llama3_rope_scaling_matches_transformers():
    pytest.importorskip("transformers")
    from transformers import LlamaConfig as HFConfig
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS
    params = {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 32.0, "low_freq_factor": 1.0,
              "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}
    cfg = HFConfig(hidden_size=2048, num_attention_heads=32, max_position_embeddings=131072)
    cfg.rope_parameters = params
    want, _ = ROPE_INIT_FUNCTIONS["llama3"](cfg, "cpu")
    ours = RotaryEmbedding(64, max_len=131072, base=500000.0, scaling=params)
    torch.testing.assert_close(ours.inv_freq, want, atol=0, rtol=1e-6)
    plain = RotaryEmbedding(64, max_len=131072, base=500000.0)
    assert torch.equal(ours.inv_freq[:4], plain.inv_freq[:4])            # fast rotations are kept
    torch.testing.assert_close(ours.inv_freq[-4:], plain.inv_freq[-4:] / 32)   # slow ones turn 32x slower


def test_rope_is_relative():
    """The score between a query at p and a key at s depends only on p - s."""
    rope = RotaryEmbedding(8, max_len=128)
    q, k = torch.randn(8), torch.randn(8)

    def score(p, s):
        cq, sq = rope(1, offset=p)
        ck, sk = rope(1, offset=s)
        return float(apply_rotary(q[None], cq, sq) @ apply_rotary(k[None], ck, sk).T)

    assert math.isclose(score(10, 3), score(50, 43), rel_tol=1e-4, abs_tol=1e-5)
    assert not math.isclose(score(10, 3), score(10, 4), rel_tol=1e-3)
    cos, sin = rope(5)
    x = torch.randn(2, 5, 8)
    torch.testing.assert_close(apply_rotary(x, cos, sin).norm(dim=-1), x.norm(dim=-1))   # a rotation keeps length


def reference_gqa(attn: GroupedQueryAttention, x: torch.Tensor) -> torch.Tensor:
    """Causal GQA written out head by head, with the key/value head of query head h being h // (H / H_kv)."""
    B, T, _ = x.shape
    H, Hkv, D = attn.n_heads, attn.n_kv_heads, attn.head_dim
    q = attn.q_proj(x).view(B, T, H, D)
    k = attn.k_proj(x).view(B, T, Hkv, D)
    v = attn.v_proj(x).view(B, T, Hkv, D)
    if attn.rope is not None:
        cos, sin = attn.rope(T)
        q = apply_rotary(q.transpose(1, 2), cos, sin).transpose(1, 2)
        k = apply_rotary(k.transpose(1, 2), cos, sin).transpose(1, 2)
    heads = []
    for h in range(H):
        g = h // (H // Hkv)
        s = q[:, :, h] @ k[:, :, g].transpose(1, 2) / math.sqrt(D)
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
        heads.append(torch.softmax(s, -1) @ v[:, :, g])
    return attn.o_proj(torch.cat(heads, dim=-1))


@pytest.mark.parametrize("n_kv", [1, 2, 4])
@pytest.mark.parametrize("use_rope", [False, True])
def test_gqa_matches_explicit_reference(n_kv, use_rope):
    torch.manual_seed(n_kv)
    attn = GroupedQueryAttention(32, 4, n_kv, rope=RotaryEmbedding(8, max_len=32) if use_rope else None)
    x = torch.randn(2, 9, 32)
    want = reference_gqa(attn, x)
    fused, none = attn(x, is_causal=True)
    explicit, w = attn(x, is_causal=True, need_weights=True)
    assert none is None and w.shape == (2, 4, 9, 9)
    torch.testing.assert_close(fused, want, atol=ATOL, rtol=0)
    torch.testing.assert_close(explicit, want, atol=ATOL, rtol=0)


def test_gqa_cache_token_by_token_equals_full_pass():
    torch.manual_seed(0)
    attn = GroupedQueryAttention(32, 8, 2, rope=RotaryEmbedding(4, max_len=32)).eval()
    x = torch.randn(2, 10, 32)
    full, _ = attn(x, is_causal=True)
    cache: dict = {}
    first, _ = attn(x[:, :4], is_causal=True, cache=cache)        # a prompt, then one token at a time
    steps = [attn(x[:, t:t + 1], is_causal=True, cache=cache)[0] for t in range(4, 10)]
    torch.testing.assert_close(torch.cat([first, *steps], 1), full, atol=ATOL, rtol=0)
    assert cache["k"].shape == (2, 2, 10, 4)                        # stored with 2 kv heads, not 8
    # a padding mask is honoured with the cache, as in the full pass
    keep = torch.ones(2, 1, 1, 10, dtype=torch.bool)
    keep[0, ..., 1] = False
    full_m, _ = attn(x, mask=keep, is_causal=True)
    cache = {}
    attn(x[:, :9], mask=keep[..., :9], is_causal=True, cache=cache)
    last, _ = attn(x[:, 9:], mask=keep, is_causal=True, cache=cache)
    torch.testing.assert_close(last, full_m[:, 9:], atol=ATOL, rtol=0)
    assert not torch.allclose(full_m[0, 9], full[0, 9], atol=1e-4)


def test_repeat_kv_order():
    x = torch.arange(2.0)[None, :, None, None].expand(1, 2, 1, 1)
    assert repeat_kv(x, 3).flatten().tolist() == [0, 0, 0, 1, 1, 1]   # heads 0-2 read kv head 0, 3-5 kv head 1


def test_kv_cache_bytes():
    # a 70B-class shape: 80 layers, 64 query heads but 8 kv heads of 128 dims, 4096 tokens, bf16
    gqa = kv_cache_bytes(80, 8, 128, 4096, dtype=torch.bfloat16)
    assert gqa == 2 * 80 * 8 * 128 * 4096 * 2 == 1_342_177_280
    assert kv_cache_bytes(80, 64, 128, 4096, dtype=torch.bfloat16) == 8 * gqa
    # the formula counts exactly what a Llama's cache holds
    cfg = LlamaConfig(vocab_size=50, block_size=32, n_layer=3, n_head=4, n_kv_head=2, d_model=32)
    model = Llama(cfg).eval()
    caches = [{} for _ in model.blocks]
    with torch.no_grad():
        model(torch.randint(0, 50, (2, 11)), caches=caches)
    held = sum(c["k"].nbytes + c["v"].nbytes for c in caches)
    assert held == kv_cache_bytes(3, 2, 8, 11, batch=2)


def test_swiglu_matches_transformers(hf_llama):
    from transformers import LlamaConfig as HFConfig
    torch.manual_seed(0)
    theirs = hf_llama.LlamaMLP(HFConfig(hidden_size=16, intermediate_size=40, num_attention_heads=2, hidden_act="silu"))
    ours = SwiGLU(16, 40)
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(3, 4, 16)
    torch.testing.assert_close(ours(x), theirs(x), atol=ATOL, rtol=0)


def test_decoder_block_variants_share_one_class():
    g = gpt_block(32, 4, activation="gelu")
    ll = llama_block(32, 4, 2, 88, rope=RotaryEmbedding(8, max_len=16))
    assert type(g) is type(ll) is DecoderBlock
    x = torch.randn(2, 5, 32)
    for block in (g, ll):
        y = block(x)
        assert y.shape == x.shape
        # causal: changing the last position leaves the earlier outputs unchanged
        x2 = x.clone()
        x2[:, -1] += 1.0
        torch.testing.assert_close(block(x2)[:, :-1], y[:, :-1])
        block(x, need_weights=True)
        assert block.attn_weights.shape == (2, 4, 5, 5)
    # GPT-2 block == an encoder layer run causally (the old way GPT built its blocks)
    assert sum(p.numel() for p in g.parameters()) == 12 * 32 * 32 + 13 * 32


def test_llama_trains_a_step_and_generates():
    torch.manual_seed(0)
    model = Llama(LlamaConfig(vocab_size=20, block_size=16, n_layer=2, n_head=4, n_kv_head=1, d_model=32))
    x = torch.randint(0, 20, (4, 16))
    logits, loss = model(x[:, :-1], x[:, 1:])
    assert logits.shape == (4, 15, 20) and abs(loss.item() - math.log(20)) < 0.5
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())
    model.train()
    out = model.generate(x[:1, :3], 5, temperature=0.0)
    assert out.shape == (1, 8) and model.training                  # generate restores the training mode
