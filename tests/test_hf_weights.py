"""Hugging Face checkpoints load into the library's own models and compute the same thing.

Tiny randomly initialised `transformers` models (GPT2LMHeadModel; LlamaForCausalLM with grouped-query attention)
are built from their config classes (no download), written with save_pretrained (safetensors) to a temporary
folder, loaded with bigmodel_lib.checkpoints, and compared: logits within 1e-5 in float32, and greedy generations
token for token, with and without the KV cache. A real checkpoint folder goes through the same code.
"""
import json
import os
import shutil

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest
import torch

from bigmodel_lib.checkpoints import from_pretrained, load_gpt2, load_llama
from bigmodel_lib.llama import Llama
from bigmodel_lib.models import GPT

transformers = pytest.importorskip("transformers")
ATOL = 1e-5
V = 96
# init scale well above the usual 0.02, so a random model's next token depends on its context
# (a near-zero random model repeats one token, and any cache bug would go unnoticed)
INIT = 0.3
NO_SPECIAL = dict(bos_token_id=None, eos_token_id=None, pad_token_id=None)


def _save(model, folder):
    model.save_pretrained(folder, safe_serialization=True)
    return folder


@pytest.fixture(scope="module")
def gpt2_pair(tmp_path_factory):
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=V, n_positions=48, n_embd=32, n_layer=2, n_head=4, initializer_range=INIT,
                     **NO_SPECIAL)
    hf = GPT2LMHeadModel(cfg).eval()
    folder = _save(hf, tmp_path_factory.mktemp("gpt2"))
    return hf, folder


def _llama(tmp_path_factory, name, rope=None, **kw):
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(1)
    args = dict(vocab_size=V, hidden_size=32, intermediate_size=72, num_hidden_layers=2, num_attention_heads=4,
                num_key_value_heads=2, max_position_embeddings=48, rms_norm_eps=1e-5, initializer_range=INIT,
                **NO_SPECIAL)
    args.update(kw)
    cfg = LlamaConfig(**args)
    cfg.rope_parameters = rope or {"rope_type": "default", "rope_theta": 500.0}
    hf = LlamaForCausalLM(cfg).eval()
    return hf, _save(hf, tmp_path_factory.mktemp(name))


@pytest.fixture(scope="module")
def llama_pair(tmp_path_factory):
    return _llama(tmp_path_factory, "llama")               # GQA: 4 query heads share 2 key/value heads


@pytest.fixture(scope="module")
def llama_tied_mqa(tmp_path_factory):
    # one key/value head (multi-query), head_dim 16 != hidden/heads, tied head, biases in attention, and
    # Llama 3.1's RoPE rescaling (a short original context, so that every frequency band is affected)
    llama3 = {"rope_type": "llama3", "rope_theta": 500.0, "factor": 4.0, "low_freq_factor": 1.0,
              "high_freq_factor": 4.0, "original_max_position_embeddings": 16}
    return _llama(tmp_path_factory, "llama_tied", rope=llama3, num_key_value_heads=1, head_dim=16,
                  tie_word_embeddings=True, attention_bias=True)


PROMPT = torch.randint(0, V, (2, 12), generator=torch.Generator().manual_seed(3))


@torch.no_grad()
def _hf_greedy(hf, idx, new_tokens):
    """Greedy decoding written out on transformers' forward (no cache): the slow, obvious reference."""
    for _ in range(new_tokens):
        idx = torch.cat([idx, hf(idx).logits[:, -1].argmax(-1, keepdim=True)], dim=1)
    return idx


def _compare(hf, ours, new_tokens=20, hf_generate=True):
    with torch.no_grad():
        want = hf(PROMPT).logits
    got, _ = ours(PROMPT)
    diff = (got - want).abs().max().item()
    assert diff < ATOL, diff
    if hf_generate:   # transformers' own generate (with its KV cache)
        ref = hf.generate(PROMPT, attention_mask=torch.ones_like(PROMPT), max_new_tokens=new_tokens,
                          do_sample=False, min_new_tokens=new_tokens, eos_token_id=None, pad_token_id=0)
    else:
        ref = _hf_greedy(hf, PROMPT, new_tokens)
    cached = ours.generate(PROMPT, new_tokens, temperature=0.0, use_cache=True)
    uncached = ours.generate(PROMPT, new_tokens, temperature=0.0, use_cache=False)
    assert torch.equal(cached, ref) and torch.equal(uncached, ref)
    assert len(set(ref[0, PROMPT.shape[1]:].tolist())) > 3          # the model's output depends on its context
    return diff


def test_gpt2_logits_and_generation_match(gpt2_pair):
    hf, folder = gpt2_pair
    ours = load_gpt2(folder)
    assert isinstance(ours, GPT) and not ours.training
    assert ours.config.activation == "gelu_tanh" and ours.config.tie_weights
    assert ours.head.weight is ours.tok_emb.weight
    assert sum(p.numel() for p in ours.parameters()) == hf.num_parameters()
    print("GPT-2 max |logit difference|:", _compare(hf, ours))


def test_llama_gqa_logits_and_generation_match(llama_pair):
    hf, folder = llama_pair
    ours = load_llama(folder)
    assert isinstance(ours, Llama) and ours.config.n_kv_head == 2 and ours.config.n_head == 4
    assert ours.config.rope_base == 500.0 and ours.config.norm_eps == 1e-5
    assert sum(p.numel() for p in ours.parameters()) == hf.num_parameters()
    print("Llama-GQA max |logit difference|:", _compare(hf, ours))


def test_llama_tied_mqa_bias_llama3_rope_matches(llama_tied_mqa):
    hf, folder = llama_tied_mqa
    ours = load_llama(folder)
    assert ours.head.weight is ours.tok_emb.weight and ours.config.head_dim == 16
    assert ours.config.rope_scaling["factor"] == 4.0
    _compare(hf, ours, new_tokens=12, hf_generate=False)


def test_llama_generation_past_the_window_agrees_with_and_without_cache(llama_pair):
    """Llama shares GPT's generate (tests/test_generation.py checks GPT's sliding-window rule)."""
    model = load_llama(llama_pair[1])
    long = model.generate(PROMPT, 42, temperature=0.0, use_cache=True)      # 54 tokens; the window is 48
    assert torch.equal(long, model.generate(PROMPT, 42, temperature=0.0, use_cache=False))
    assert len(set(long[0, -10:].tolist())) > 2                              # still context-dependent there


def test_from_pretrained_dispatches(gpt2_pair, llama_pair):
    assert isinstance(from_pretrained(gpt2_pair[1]), GPT)
    assert isinstance(from_pretrained(llama_pair[1]), Llama)
    half = from_pretrained(llama_pair[1], dtype=torch.bfloat16)
    assert half.tok_emb.weight.dtype == torch.bfloat16
    assert half(PROMPT)[0].dtype == torch.bfloat16


def _copy(folder, tmp_path, name="ckpt"):
    dst = tmp_path / name
    shutil.copytree(folder, dst)
    return dst


def _edit_config(folder, **changes):
    path = folder / "config.json"
    cfg = json.loads(path.read_text())
    cfg.update(changes)
    path.write_text(json.dumps(cfg))


def test_clear_errors_for_bad_folders(gpt2_pair, llama_pair, tmp_path):
    with pytest.raises(FileNotFoundError, match="not a directory"):
        load_gpt2(tmp_path / "nowhere")
    with pytest.raises(TypeError, match="folder must be a path"):
        load_llama(3)
    with pytest.raises(FileNotFoundError, match="config.json"):
        load_gpt2(tmp_path)
    with pytest.raises(ValueError, match="model_type 'llama'.*'gpt2'"):
        load_gpt2(llama_pair[1])
    with pytest.raises(ValueError, match="model_type 'gpt2'.*'llama'"):
        load_llama(gpt2_pair[1])
    no_weights = _copy(gpt2_pair[1], tmp_path, "no_weights")
    (no_weights / "model.safetensors").rename(no_weights / "pytorch_model.bin")
    with pytest.raises(FileNotFoundError, match="no model.safetensors.*pytorch_model.bin"):
        load_gpt2(no_weights)
    scaled = _copy(llama_pair[1], tmp_path, "scaled")
    _edit_config(scaled, rope_parameters={"rope_type": "yarn", "rope_theta": 1e4, "factor": 4.0})
    with pytest.raises(ValueError, match="unsupported config option rope_type='yarn'"):
        load_llama(scaled)
    wrong_shape = _copy(llama_pair[1], tmp_path, "wrong_shape")
    _edit_config(wrong_shape, intermediate_size=64)
    with pytest.raises(ValueError, match="has shape .* the model expects"):
        load_llama(wrong_shape)
    other = _copy(llama_pair[1], tmp_path, "other")
    _edit_config(other, model_type="mistral")
    with pytest.raises(ValueError, match="model_type 'mistral'; supported"):
        from_pretrained(other)
    with pytest.raises(ValueError, match="unsupported config option scale_attn_by_inverse_layer_idx"):
        bad = _copy(gpt2_pair[1], tmp_path, "inverse")
        _edit_config(bad, scale_attn_by_inverse_layer_idx=True)
        load_gpt2(bad)


def test_hub_layouts_load_the_same(gpt2_pair, llama_pair, tmp_path):
    """The Hub's GPT-2 file names tensors without the "transformer." prefix and may carry the old attention-mask
    buffers; big checkpoints come in shards listed by model.safetensors.index.json. Both load to the same model."""
    from safetensors.torch import load_file, save_file
    hf, folder = gpt2_pair
    hub = _copy(folder, tmp_path, "hub_gpt2")
    state = {k.removeprefix("transformer."): v for k, v in load_file(str(folder / "model.safetensors")).items()}
    state["h.0.attn.bias"] = torch.ones(1, 1, 48, 48).tril()
    save_file(state, str(hub / "model.safetensors"))
    ours = load_gpt2(hub)
    with torch.no_grad():
        assert (ours(PROMPT)[0] - hf(PROMPT).logits).abs().max() < ATOL
    hf_l, folder_l = llama_pair
    sharded = _copy(folder_l, tmp_path, "sharded")
    state = load_file(str(sharded / "model.safetensors"))
    (sharded / "model.safetensors").unlink()
    names = sorted(state)
    halves = {"model-00001-of-00002.safetensors": names[: len(names) // 2],
              "model-00002-of-00002.safetensors": names[len(names) // 2:]}
    for shard, keys in halves.items():
        save_file({k: state[k] for k in keys}, str(sharded / shard))
    index = {"weight_map": {k: shard for shard, keys in halves.items() for k in keys}}
    (sharded / "model.safetensors.index.json").write_text(json.dumps(index))
    with torch.no_grad():
        assert (load_llama(sharded)(PROMPT)[0] - hf_l(PROMPT).logits).abs().max() < ATOL
