"""Bad-input cases for bigmodel_lib.llama (format: tests/bad_input_cases/__init__.py)."""
import torch

from bigmodel_lib.llama import Llama, LlamaConfig
from bigmodel_lib.models import CausalLM, GPTConfig


def tiny():
    return Llama(LlamaConfig(vocab_size=20, block_size=8, n_layer=1, n_head=2, n_kv_head=1, d_model=8))


CASES = [
    # the base class shared by GPT and Llama takes no arguments (subclasses build the layers)
    ("causallm-args", "models.CausalLM", lambda: CausalLM(3), TypeError, r"takes 1 positional argument"),
    # GPTConfig's options for GPT-2 checkpoints
    ("gptconfig-activation", "models.GPTConfig", lambda: GPTConfig(activation="swish"), ValueError,
     r"GPTConfig.activation must be one of \['relu', 'gelu', 'gelu_tanh'\]"),
    ("gptconfig-ln-eps", "models.GPTConfig", lambda: GPTConfig(ln_eps=0.0), ValueError, r"GPTConfig.ln_eps must be > 0"),
    ("gptconfig-bias", "models.GPTConfig", lambda: GPTConfig(bias=None), TypeError, r"GPTConfig.bias must be a bool"),
    ("gptconfig-d-ff", "models.GPTConfig", lambda: GPTConfig(d_ff=0), ValueError, r"GPTConfig.d_ff must be >= 1"),
    ("llamaconfig-kv", "llama.LlamaConfig", lambda: LlamaConfig(n_head=4, n_kv_head=3), ValueError,
     r"LlamaConfig.n_head \(4\) must be divisible by n_kv_head \(3\)"),
    ("llamaconfig-dmodel", "llama.LlamaConfig", lambda: LlamaConfig(d_model=30, n_head=4), ValueError,
     r"LlamaConfig.d_model \(30\) must be divisible by n_head \(4\)"),
    ("llamaconfig-headdim-odd", "llama.LlamaConfig", lambda: LlamaConfig(head_dim=7), ValueError,
     r"head_dim must be even"),
    ("llamaconfig-zero", "llama.LlamaConfig", lambda: LlamaConfig(n_layer=0), ValueError,
     r"LlamaConfig.n_layer must be >= 1"),
    ("llamaconfig-eps", "llama.LlamaConfig", lambda: LlamaConfig(norm_eps=0.0), ValueError,
     r"LlamaConfig.norm_eps must be > 0"),
    ("llamaconfig-tie", "llama.LlamaConfig", lambda: LlamaConfig(tie_weights="yes"), TypeError,
     r"LlamaConfig.tie_weights must be a bool"),
    ("llama-config-type", "llama.Llama", lambda: Llama({"d_model": 8}), TypeError, r"config must be a LlamaConfig"),
    ("llama-ids-range", "models.CausalLM.forward", lambda: tiny()(torch.tensor([[0, 25]])), ValueError,
     r"idx ids must be in \[0, 20\)"),
    ("llama-too-long", "models.CausalLM.forward", lambda: tiny()(torch.zeros(1, 9, dtype=torch.long)), ValueError,
     r"more than the model's context of 8"),
    ("llama-gen-temp", "models.CausalLM.generate", lambda: tiny().generate(torch.zeros(1, 2, dtype=torch.long), 3,
                                                                         temperature=-1.0), ValueError,
     r"temperature must be >= 0"),
]
