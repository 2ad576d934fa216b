"""Load Hugging Face-format checkpoints (config.json + model.safetensors) into the library's own models.

A checkpoint folder as written by `transformers`' `save_pretrained` (or downloaded from the Hub) holds
the architecture in `config.json` and the weights, by name, in `model.safetensors` (or several shards
listed in `model.safetensors.index.json`). Loading is renaming: each tensor goes to the parameter of
our model that plays the same role. Two details need more than a rename:

* GPT-2 stores its linear layers as `Conv1D`, weight [in, out], the transpose of `nn.Linear`'s [out, in].
* Tied output heads (GPT-2) are not stored twice: the head reuses the token embedding.

Nothing here downloads; the folder must already be on disk. Supported: `model_type` "gpt2" -> `GPT`,
"llama" -> `Llama` (SiLU, plain RoPE or Llama 3's "llama3" rope scaling). Anything else is refused with a message.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import torch
import torch.nn as nn

from .llama import Llama, LlamaConfig
from .models import GPT, GPTConfig
from .rope import LLAMA3_KEYS

GPT2_ACTIVATIONS = {"gelu_new": "gelu_tanh", "gelu_pytorch_tanh": "gelu_tanh", "gelu": "gelu"}
DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)


# ------------------------------------------------------------------ reading a folder
def _folder(folder) -> Path:
    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"folder must be a path (str or pathlib.Path) to a checkpoint folder, got "
                        f"{type(folder).__name__}")
    path = Path(folder)
    if not path.is_dir():
        raise FileNotFoundError(f"folder {str(path)!r} is not a directory; expected a checkpoint folder holding "
                                f"config.json and model.safetensors")
    return path


def read_config(folder) -> dict:
    """The checkpoint's config.json as a dict (raises FileNotFoundError naming what is missing)."""
    path = _folder(folder) / "config.json"
    if not path.is_file():
        raise FileNotFoundError(f"{str(path)!r} is missing: a checkpoint folder needs config.json "
                                f"(the architecture) and model.safetensors (the weights)")
    try:
        cfg = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{str(path)!r} is not valid JSON: {e}") from None
    if not isinstance(cfg, dict):
        raise ValueError(f"{str(path)!r} must hold a JSON object, got {type(cfg).__name__}")
    return cfg


def read_state_dict(folder) -> dict[str, torch.Tensor]:
    """All tensors of the checkpoint by name: model.safetensors, or the shards its index lists."""
    from safetensors.torch import load_file
    path = _folder(folder)
    single, index = path / "model.safetensors", path / "model.safetensors.index.json"
    if single.is_file():
        return load_file(str(single))
    if index.is_file():
        shards = sorted(set(json.loads(index.read_text())["weight_map"].values()))
        state: dict[str, torch.Tensor] = {}
        for shard in shards:
            if not (path / shard).is_file():
                raise FileNotFoundError(f"shard {shard!r} listed in {index.name} is missing from {str(path)!r}")
            state.update(load_file(str(path / shard)))
        return state
    others = sorted(p.name for p in path.iterdir() if p.suffix in (".bin", ".pt", ".pth", ".ckpt"))
    hint = (f" It has {others}: those are pickled PyTorch files, which this loader does not open (unpickling "
            f"runs code); ask the source for safetensors, or convert with transformers' save_pretrained."
            if others else "")
    raise FileNotFoundError(f"no model.safetensors (or model.safetensors.index.json) in {str(path)!r}.{hint}")


def _check_model_type(cfg: dict, want: str, arch: str) -> None:
    got = cfg.get("model_type")
    if got != want:
        raise ValueError(f"config.json has model_type {got!r}; this loader reads {want!r} checkpoints "
                         f"(use from_pretrained to dispatch on model_type)")
    archs = cfg.get("architectures") or [arch]
    if arch not in archs:
        raise ValueError(f"config.json lists architectures {archs}; expected {arch!r} (a causal LM with its head)")


def _check_dict(cfg) -> None:
    if not isinstance(cfg, dict):
        raise TypeError(f"cfg must be a dict (the parsed config.json), got {type(cfg).__name__}")


def _unsupported(name: str, value, why: str) -> ValueError:
    return ValueError(f"unsupported config option {name}={value!r}: {why}")


def _load_into(model: nn.Module, state: dict[str, torch.Tensor], folder) -> None:
    """Copy `state` (already renamed to our keys) into model, refusing missing, extra or mis-shaped tensors."""
    ours = model.state_dict()
    missing = sorted(set(ours) - set(state))
    extra = sorted(set(state) - set(ours))
    if missing or extra:
        raise ValueError(f"checkpoint in {str(folder)!r} does not match the architecture in its config.json: "
                         f"missing {missing[:6]}{'...' if len(missing) > 6 else ''}, "
                         f"unexpected {extra[:6]}{'...' if len(extra) > 6 else ''}")
    for k, t in state.items():
        if t.shape != ours[k].shape:
            raise ValueError(f"tensor {k!r} has shape {tuple(t.shape)} in the checkpoint, the model expects "
                             f"{tuple(ours[k].shape)}")
    model.load_state_dict({k: t.to(ours[k].dtype) for k, t in state.items()}, strict=True)


def _dtype(dtype) -> torch.dtype:
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {[str(d) for d in DTYPES]}, got {dtype!r}")
    return dtype


# ----------------------------------------------------------------------- GPT-2
def gpt2_config(cfg: dict) -> GPTConfig:
    """GPTConfig from a GPT-2 config.json dict (refuses options our GPT does not implement)."""
    _check_dict(cfg)
    act = cfg.get("activation_function", "gelu_new")
    if act not in GPT2_ACTIVATIONS:
        raise _unsupported("activation_function", act, f"supported: {list(GPT2_ACTIVATIONS)}")
    for name, ok in (("scale_attn_weights", True), ("scale_attn_by_inverse_layer_idx", False),
                     ("add_cross_attention", False)):
        if cfg.get(name, ok) != ok:
            raise _unsupported(name, cfg[name], f"our GPT implements only {name}={ok}")
    n_embd = cfg.get("n_embd", 768)
    return GPTConfig(vocab_size=cfg.get("vocab_size", 50257), block_size=cfg.get("n_positions", 1024),
                     n_layer=cfg.get("n_layer", 12), n_head=cfg.get("n_head", 12), d_model=n_embd,
                     d_ff=cfg.get("n_inner") or 4 * n_embd, dropout=0.0,
                     tie_weights=cfg.get("tie_word_embeddings", True), activation=GPT2_ACTIVATIONS[act],
                     ln_eps=float(cfg.get("layer_norm_epsilon", 1e-5)), bias=True)


def _gpt2_state_dict(state: dict[str, torch.Tensor], n_layer: int, tied: bool) -> dict[str, torch.Tensor]:
    """Rename GPT-2's tensors to GPT's, transposing the Conv1D weights ([in, out] -> [out, in])."""
    state = {k.removeprefix("transformer."): v for k, v in state.items()}
    out = {"tok_emb.weight": state.pop("wte.weight", None), "pos_emb.emb.weight": state.pop("wpe.weight", None),
           "ln_f.weight": state.pop("ln_f.weight", None), "ln_f.bias": state.pop("ln_f.bias", None)}
    head = state.pop("lm_head.weight", None)
    out["head.weight"] = out["tok_emb.weight"] if tied else head
    conv = {"attn.c_attn": "self_attn.in_proj", "attn.c_proj": "self_attn.out_proj",
            "mlp.c_fc": "ff.linear1", "mlp.c_proj": "ff.linear2"}
    for i in range(n_layer):
        for theirs, ours in conv.items():
            w = state.pop(f"h.{i}.{theirs}.weight", None)
            out[f"blocks.{i}.{ours}.weight"] = None if w is None else w.t().contiguous()
            out[f"blocks.{i}.{ours}.bias"] = state.pop(f"h.{i}.{theirs}.bias", None)
        for theirs, ours in (("ln_1", "norm1"), ("ln_2", "norm2")):
            for p in ("weight", "bias"):
                out[f"blocks.{i}.{ours}.{p}"] = state.pop(f"h.{i}.{theirs}.{p}", None)
        state.pop(f"h.{i}.attn.bias", None)          # old checkpoints store the causal mask as a buffer
        state.pop(f"h.{i}.attn.masked_bias", None)
    renamed = {k: v for k, v in out.items() if v is not None}
    renamed.update({f"<unused> {k}": v for k, v in state.items()})   # reported as unexpected
    return renamed


def load_gpt2(folder, dtype: torch.dtype = torch.float32) -> GPT:
    """A GPT-2 checkpoint folder -> the library's `GPT` with those weights, in eval mode."""
    dtype = _dtype(dtype)
    cfg = read_config(folder)
    _check_model_type(cfg, "gpt2", "GPT2LMHeadModel")
    config = gpt2_config(cfg)
    model = GPT(config)
    _load_into(model, _gpt2_state_dict(read_state_dict(folder), config.n_layer, config.tie_weights), folder)
    return model.to(dtype).eval()


# ----------------------------------------------------------------------- Llama
def llama_config(cfg: dict) -> LlamaConfig:
    """LlamaConfig from a Llama config.json dict (refuses rope scaling, other activations, etc.)."""
    _check_dict(cfg)
    act = cfg.get("hidden_act", "silu")
    if act != "silu":
        raise _unsupported("hidden_act", act, "Llama's SwiGLU uses silu")
    rope = cfg.get("rope_parameters") or cfg.get("rope_scaling") or {}
    rope_type = rope.get("rope_type", rope.get("type", "default"))
    if rope_type not in ("default", "llama3"):
        raise _unsupported("rope_type", rope_type, "implemented: plain RoPE ('default') and 'llama3' scaling")
    scaling = None
    if rope_type == "llama3":
        scaling = {"rope_type": "llama3", **{k: rope[k] for k in LLAMA3_KEYS if k in rope}}
    theta = rope.get("rope_theta", cfg.get("rope_theta", 10000.0))
    d, h = cfg.get("hidden_size", 4096), cfg.get("num_attention_heads", 32)
    return LlamaConfig(vocab_size=cfg.get("vocab_size", 32000), block_size=cfg.get("max_position_embeddings", 2048),
                       n_layer=cfg.get("num_hidden_layers", 32), n_head=h,
                       n_kv_head=cfg.get("num_key_value_heads") or h, d_model=d,
                       d_ff=cfg.get("intermediate_size", 11008), head_dim=cfg.get("head_dim") or d // h,
                       rope_base=float(theta), norm_eps=float(cfg.get("rms_norm_eps", 1e-6)), dropout=0.0,
                       tie_weights=bool(cfg.get("tie_word_embeddings", False)),
                       attention_bias=bool(cfg.get("attention_bias", False)), mlp_bias=bool(cfg.get("mlp_bias", False)),
                       rope_scaling=scaling)


_LLAMA_NAMES = [(r"^model\.embed_tokens\.", "tok_emb."), (r"^model\.norm\.", "ln_f."), (r"^lm_head\.", "head."),
                (r"^model\.layers\.(\d+)\.self_attn\.", r"blocks.\1.self_attn."),
                (r"^model\.layers\.(\d+)\.mlp\.", r"blocks.\1.ff."),
                (r"^model\.layers\.(\d+)\.input_layernorm\.", r"blocks.\1.norm1."),
                (r"^model\.layers\.(\d+)\.post_attention_layernorm\.", r"blocks.\1.norm2.")]


def _llama_state_dict(state: dict[str, torch.Tensor], tied: bool) -> dict[str, torch.Tensor]:
    """Rename Llama's tensors to ours (same matrices, [out, in] already); drop stored RoPE tables."""
    out = {}
    for k, v in state.items():
        if k.endswith("rotary_emb.inv_freq"):
            continue
        new = k
        for pat, rep in _LLAMA_NAMES:
            new, n = re.subn(pat, rep, new)
            if n:
                break
        else:
            new = f"<unused> {k}"
        out[new] = v
    if tied:
        out["head.weight"] = out["tok_emb.weight"] if "tok_emb.weight" in out else None
        if out["head.weight"] is None:
            del out["head.weight"]
    return out


def load_llama(folder, dtype: torch.dtype = torch.float32) -> Llama:
    """A Llama-architecture checkpoint folder -> the library's `Llama` with those weights, in eval mode."""
    dtype = _dtype(dtype)
    cfg = read_config(folder)
    _check_model_type(cfg, "llama", "LlamaForCausalLM")
    config = llama_config(cfg)
    model = Llama(config)
    _load_into(model, _llama_state_dict(read_state_dict(folder), config.tie_weights), folder)
    return model.to(dtype).eval()


LOADERS = {"gpt2": load_gpt2, "llama": load_llama}


def from_pretrained(folder, dtype: torch.dtype = torch.float32) -> GPT | Llama:
    """Load any supported checkpoint folder, choosing the loader by config.json's model_type."""
    cfg = read_config(folder)
    kind = cfg.get("model_type")
    if kind not in LOADERS:
        raise ValueError(f"config.json has model_type {kind!r}; supported: {list(LOADERS)}")
    return LOADERS[kind](folder, dtype=dtype)
