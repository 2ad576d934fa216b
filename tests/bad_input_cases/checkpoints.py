"""Bad-input cases for bigmodel_lib.checkpoints (format: tests/bad_input_cases/__init__.py)."""
import json
import tempfile
from pathlib import Path

import torch

from bigmodel_lib import checkpoints as ck


def folder(config: dict | None = None) -> Path:
    """A temporary folder holding only a config.json (no weights)."""
    path = Path(tempfile.mkdtemp())
    if config is not None:
        (path / "config.json").write_text(json.dumps(config))
    return path


CASES = [
    ("ckpt-read-config-missing", "checkpoints.read_config", lambda: ck.read_config(folder()), FileNotFoundError,
     r"config.json.* is missing"),
    ("ckpt-read-config-type", "checkpoints.read_config", lambda: ck.read_config(42), TypeError,
     r"folder must be a path"),
    ("ckpt-read-weights-missing", "checkpoints.read_state_dict", lambda: ck.read_state_dict(folder({})),
     FileNotFoundError, r"no model.safetensors"),
    ("ckpt-gpt2-config-type", "checkpoints.gpt2_config", lambda: ck.gpt2_config("config.json"), TypeError,
     r"cfg must be a dict"),
    ("ckpt-gpt2-config-act", "checkpoints.gpt2_config", lambda: ck.gpt2_config({"activation_function": "relu"}),
     ValueError, r"unsupported config option activation_function='relu'"),
    ("ckpt-llama-config-type", "checkpoints.llama_config", lambda: ck.llama_config(None), TypeError,
     r"cfg must be a dict"),
    ("ckpt-llama-config-rope", "checkpoints.llama_config",
     lambda: ck.llama_config({"rope_scaling": {"rope_type": "dynamic", "factor": 8.0}}), ValueError,
     r"unsupported config option rope_type='dynamic'"),
    ("ckpt-llama-config-act", "checkpoints.llama_config", lambda: ck.llama_config({"hidden_act": "gelu"}), ValueError,
     r"unsupported config option hidden_act='gelu'"),
    ("ckpt-load-gpt2-type", "checkpoints.load_gpt2", lambda: ck.load_gpt2(folder({"model_type": "llama"})),
     ValueError, r"model_type 'llama'; this loader reads 'gpt2'"),
    ("ckpt-load-gpt2-dtype", "checkpoints.load_gpt2",
     lambda: ck.load_gpt2(folder({"model_type": "gpt2", "n_embd": 8, "n_head": 2, "n_layer": 1}), dtype=torch.int8),
     ValueError, r"dtype must be one of"),
    ("ckpt-load-llama-arch", "checkpoints.load_llama",
     lambda: ck.load_llama(folder({"model_type": "llama", "architectures": ["LlamaForSequenceClassification"]})),
     ValueError, r"expected 'LlamaForCausalLM'"),
    ("ckpt-from-pretrained-type", "checkpoints.from_pretrained", lambda: ck.from_pretrained(folder({"model_type": "bert"})),
     ValueError, r"model_type 'bert'; supported: \['gpt2', 'llama'\]"),
]
