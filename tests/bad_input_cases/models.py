"""Bad-input cases for bigmodel_lib.models (format: tests/bad_input_cases/__init__.py)."""

import torch

from bigmodel_lib import models

from . import V, clf, gpt, seq2seq

CASES = [
    ("count-type", "models.count_parameters", lambda: models.count_parameters("model"), TypeError, r"model must be an nn.Module"),
    ("gptconfig-heads", "models.GPTConfig", lambda: models.GPTConfig(d_model=10, n_head=3), ValueError, r"d_model \(10\) must be divisible"),
    ("gptconfig-zero", "models.GPTConfig", lambda: models.GPTConfig(n_layer=0), ValueError, r"GPTConfig.n_layer must be >= 1"),
    ("gptconfig-negative", "models.GPTConfig", lambda: models.GPTConfig(vocab_size=-5), ValueError, r"GPTConfig.vocab_size must be >= 1"),
    ("gptconfig-dropout", "models.GPTConfig", lambda: models.GPTConfig(dropout=2.0), ValueError, r"GPTConfig.dropout must be <="),
    ("gpt-config-type", "models.GPT", lambda: models.GPT({"vocab_size": 5}), TypeError, r"config must be a GPTConfig"),
    ("gpt-unknown-token", "models.CausalLM.forward", lambda: gpt()(torch.tensor([[1, 2, V]])), ValueError, r"idx ids must be in \[0, 20\)"),
    ("gpt-negative-token", "models.CausalLM.forward", lambda: gpt()(torch.tensor([[-1, 2]])), ValueError, r"idx ids must be in"),
    ("gpt-too-long", "models.CausalLM.forward", lambda: gpt()(torch.zeros(1, 9, dtype=torch.long)), ValueError, r"more than the model's context of 8"),
    ("gpt-empty", "models.CausalLM.forward", lambda: gpt()(torch.zeros(1, 0, dtype=torch.long)), ValueError, r"idx must be non-empty"),
    ("gpt-float-ids", "models.CausalLM.forward", lambda: gpt()(torch.zeros(1, 3)), TypeError, r"idx must hold integer token ids"),
    ("gpt-rank", "models.CausalLM.forward", lambda: gpt()(torch.zeros(3, dtype=torch.long)), ValueError, r"idx must have 2 dimensions"),
    ("gpt-targets-shape", "models.CausalLM.forward", lambda: gpt()(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 4, dtype=torch.long)),
     ValueError, r"targets must have the shape of idx"),
    ("gpt-gen-negative", "models.CausalLM.generate", lambda: gpt().generate(torch.zeros(1, 2, dtype=torch.long), -1), ValueError, r"max_new_tokens must be >= 0"),
    ("gpt-gen-temperature", "models.CausalLM.generate", lambda: gpt().generate(torch.zeros(1, 2, dtype=torch.long), 2, temperature=-1.0), ValueError,
     r"temperature must be >= 0"),
    ("gpt-gen-topk", "models.CausalLM.generate", lambda: gpt().generate(torch.zeros(1, 2, dtype=torch.long), 2, top_k=V + 1), ValueError, r"top_k must be <= 20"),
    ("s2s-vocab", "models.Transformer", lambda: models.Transformer(0), ValueError, r"vocab_size must be >= 1"),
    ("s2s-src-long", "models.Transformer.encode", lambda: seq2seq().encode(torch.ones(1, 17, dtype=torch.long)), ValueError, r"context of 16"),
    ("s2s-unknown", "models.Transformer.encode", lambda: seq2seq().encode(torch.full((1, 3), V)), ValueError, r"src ids must be in"),
    ("s2s-batch", "models.Transformer.decode", lambda: seq2seq().decode(torch.ones(3, 2, dtype=torch.long), torch.randn(2, 4, 8),
     torch.ones(2, 1, 1, 4, dtype=torch.bool)), ValueError, r"tgt batch \(3\) must equal memory batch \(2\)"),
    ("s2s-tgt-shape", "models.Transformer.forward", lambda: seq2seq()(torch.ones(2, 3, dtype=torch.long), torch.ones(2, 4, dtype=torch.long),
     torch.ones(2, 5, dtype=torch.long)), ValueError, r"tgt_out must have the shape of tgt_in"),
    ("s2s-decode-len", "models.Transformer.greedy_decode", lambda: seq2seq().greedy_decode(torch.ones(1, 3, dtype=torch.long), 0), ValueError, r"max_len must be >= 1"),
    ("clf-classes", "models.TransformerClassifier", lambda: models.TransformerClassifier(V, 1), ValueError, r"n_classes must be >= 2"),
    ("clf-labels", "models.TransformerClassifier.forward", lambda: clf()(torch.ones(2, 3, dtype=torch.long), torch.ones(3, dtype=torch.long)), ValueError,
     r"y must be a tensor of 2 labels"),
    ("clf-emb-dim", "models.TransformerClassifier.forward_embeddings", lambda: clf().forward_embeddings(torch.randn(2, 3, 5)), ValueError, r"emb must have last dimension 8"),
    ("clf-mask", "models.TransformerClassifier.forward_embeddings", lambda: clf().forward_embeddings(torch.randn(2, 3, 8), torch.ones(2, 4, dtype=torch.bool)), ValueError,
     r"mask must be a bool tensor of shape \(2, 3\)"),
]
