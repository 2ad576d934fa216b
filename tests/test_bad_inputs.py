"""A battery of wrong inputs to every public function and class of the core library.

Each must fail early with ValueError/TypeError whose message names the argument and what was expected:
never a bare shape error from deep inside torch, never a silent wrong result.
"""
import math

import pytest
import torch
import torch.nn as nn

from bigmodel_lib import attention, compute, data, device, layers, models, train

V = 20


def gpt(**kw):
    cfg = dict(vocab_size=V, block_size=8, n_layer=1, n_head=2, d_model=8)
    cfg.update(kw)
    return models.GPT(models.GPTConfig(**cfg))


def seq2seq():
    return models.Transformer(V, d_model=8, n_heads=2, n_layers=1, max_len=16)


def clf():
    return models.TransformerClassifier(V, 2, d_model=8, n_heads=2, n_layers=1, max_len=8)


tok = data.CharTokenizer("abc ")
q4 = torch.randn(2, 2, 3, 4)

# (id, thunk, exception type, regex the message must match)
CASES = [
    # device and chapter parameters
    ("device-unknown", lambda: device.pick_device("gpu"), ValueError, r"device must be one of"),
    ("device-type", lambda: device.pick_device(3), TypeError, r"device must be a str"),
    ("device-missing", lambda: device.pick_device("cuda") if not torch.cuda.is_available() else
     device.pick_device("nonsense"), ValueError, r"device"),
    ("profile-unknown", lambda: device.check_profile("huge"), ValueError, r"profile must be one of"),
    ("profile-type", lambda: device.setup(profile=1), ValueError, r"profile must be one of"),
    ("seed-negative", lambda: device.seed_everything(-1), ValueError, r"seed must be >= 0"),
    ("seed-type", lambda: device.seed_everything(1.5), TypeError, r"seed must be an int"),
    # attention
    ("sdpa-rank", lambda: attention.scaled_dot_product_attention(torch.randn(4), torch.randn(4), torch.randn(4)),
     ValueError, r"q must have at least 2 dimensions"),
    ("sdpa-dk", lambda: attention.scaled_dot_product_attention(torch.randn(3, 4), torch.randn(5, 6), torch.randn(5, 6)),
     ValueError, r"q and k must share their last dimension"),
    ("sdpa-kv-len", lambda: attention.scaled_dot_product_attention(torch.randn(3, 4), torch.randn(5, 4), torch.randn(6, 4)),
     ValueError, r"k and v must have the same number of keys"),
    ("sdpa-dtype", lambda: attention.scaled_dot_product_attention(torch.ones(3, 4, dtype=torch.long), torch.randn(3, 4),
                                                                  torch.randn(3, 4)), TypeError, r"q must be a floating-point"),
    ("sdpa-empty", lambda: attention.scaled_dot_product_attention(torch.randn(0, 4), torch.randn(3, 4), torch.randn(3, 4)),
     ValueError, r"at least one position"),
    ("sdpa-mask-dtype", lambda: attention.scaled_dot_product_attention(q4, q4, q4, mask=torch.ones(3, 3)),
     TypeError, r"mask must be a bool tensor"),
    ("sdpa-mask-shape", lambda: attention.scaled_dot_product_attention(q4, q4, q4, mask=torch.ones(4, 4, dtype=torch.bool)),
     ValueError, r"mask of shape \(4, 4\) does not broadcast"),
    ("sdpa-dropout", lambda: attention.scaled_dot_product_attention(q4, q4, q4, dropout_p=1.5), ValueError, r"dropout_p"),
    ("sdpa-type", lambda: attention.scaled_dot_product_attention([1.0], q4, q4), TypeError, r"q must be a torch.Tensor"),
    ("causal-zero", lambda: attention.causal_mask(0), ValueError, r"size must be >= 1"),
    ("causal-type", lambda: attention.causal_mask(2.5), TypeError, r"size must be an int"),
    ("padding-dtype", lambda: attention.padding_mask(torch.randn(2, 3)), TypeError, r"tokens must have dtype"),
    ("padding-rank", lambda: attention.padding_mask(torch.ones(3, dtype=torch.long)), ValueError, r"tokens must have 2 dimensions"),
    ("mha-divisible", lambda: attention.MultiHeadAttention(10, 3), ValueError, r"d_model \(10\) must be divisible by n_heads \(3\)"),
    ("mha-zero", lambda: attention.MultiHeadAttention(0, 1), ValueError, r"d_model must be >= 1"),
    ("mha-dropout", lambda: attention.MultiHeadAttention(8, 2, dropout=1.0), ValueError, r"dropout must be in"),
    ("mha-rank", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(8)), ValueError, r"x must have 3 dimensions"),
    ("mha-last-dim", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(2, 3, 6)), ValueError,
     r"x must have last dimension 8"),
    ("mha-memory-batch", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(2, 3, 8), torch.randn(3, 3, 8)),
     ValueError, r"memory batch \(3\) must equal x batch \(2\)"),
    ("mha-memory-dim", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(2, 3, 8), torch.randn(2, 3, 4)),
     ValueError, r"memory must have last dimension 8"),
    ("mha-causal-cross", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(2, 3, 8), torch.randn(2, 3, 8), is_causal=True),
     ValueError, r"is_causal and cache are for self-attention"),
    ("mha-mask-shape", lambda: attention.MultiHeadAttention(8, 2)(torch.randn(2, 3, 8), mask=torch.ones(5, 5, dtype=torch.bool)),
     ValueError, r"mask of shape"),
    ("mha-int-input", lambda: attention.MultiHeadAttention(8, 2)(torch.ones(2, 3, 8, dtype=torch.long)), TypeError,
     r"x must be a floating-point"),
    # layers
    ("sinus-d", lambda: layers.SinusoidalPositionalEncoding(1), ValueError, r"d_model must be >= 2"),
    ("sinus-too-long", lambda: layers.SinusoidalPositionalEncoding(8, max_len=4)(torch.randn(1, 5, 8)), ValueError,
     r"exceeds max_len=4"),
    ("learned-too-long", lambda: layers.LearnedPositionalEncoding(8, 4)(torch.randn(1, 5, 8)), ValueError, r"exceeds max_len=4"),
    ("learned-dim", lambda: layers.LearnedPositionalEncoding(8, 4)(torch.randn(1, 3, 6)), ValueError, r"last dimension 8"),
    ("ff-activation", lambda: layers.FeedForward(8, 16, activation="swish"), ValueError, r"activation must be one of"),
    ("ff-size", lambda: layers.FeedForward(8, 0), ValueError, r"d_ff must be >= 1"),
    ("ff-last-dim", lambda: layers.FeedForward(8, 16)(torch.randn(2, 5)), ValueError, r"x must have last dimension 8"),
    ("enc-heads", lambda: layers.EncoderLayer(8, 3), ValueError, r"must be divisible by n_heads"),
    ("enc-last-dim", lambda: layers.EncoderLayer(8, 2, norm_first=True)(torch.randn(2, 3, 6)), ValueError,
     r"x must have last dimension 8 \[batch, time, d_model\]"),
    ("enc-rank", lambda: layers.EncoderLayer(8, 2)(torch.randn(3, 8)), ValueError, r"x must have 3 dimensions"),
    ("dec-memory-dim", lambda: layers.DecoderLayer(8, 2)(torch.randn(2, 3, 8), torch.randn(2, 4, 6)), ValueError,
     r"memory must have last dimension 8"),
    ("dec-memory-batch", lambda: layers.DecoderLayer(8, 2)(torch.randn(2, 3, 8), torch.randn(1, 4, 8)), ValueError,
     r"memory batch \(1\) must equal x batch \(2\)"),
    ("copy-pair", lambda: layers.copy_from_torch(layers.EncoderLayer(8, 2), nn.Linear(2, 2)), TypeError, r"copy_from_torch pairs"),
    ("copy-shape", lambda: layers.copy_from_torch(layers.EncoderLayer(8, 2), nn.TransformerEncoderLayer(16, 2)),
     ValueError, r"shape mismatch"),
    # models
    ("count-type", lambda: models.count_parameters("model"), TypeError, r"model must be an nn.Module"),
    ("gptconfig-heads", lambda: models.GPTConfig(d_model=10, n_head=3), ValueError, r"d_model \(10\) must be divisible"),
    ("gptconfig-zero", lambda: models.GPTConfig(n_layer=0), ValueError, r"GPTConfig.n_layer must be >= 1"),
    ("gptconfig-negative", lambda: models.GPTConfig(vocab_size=-5), ValueError, r"GPTConfig.vocab_size must be >= 1"),
    ("gptconfig-dropout", lambda: models.GPTConfig(dropout=2.0), ValueError, r"GPTConfig.dropout must be <="),
    ("gpt-config-type", lambda: models.GPT({"vocab_size": 5}), TypeError, r"config must be a GPTConfig"),
    ("gpt-unknown-token", lambda: gpt()(torch.tensor([[1, 2, V]])), ValueError, r"idx ids must be in \[0, 20\)"),
    ("gpt-negative-token", lambda: gpt()(torch.tensor([[-1, 2]])), ValueError, r"idx ids must be in"),
    ("gpt-too-long", lambda: gpt()(torch.zeros(1, 9, dtype=torch.long)), ValueError, r"more than the model's context of 8"),
    ("gpt-empty", lambda: gpt()(torch.zeros(1, 0, dtype=torch.long)), ValueError, r"idx must be non-empty"),
    ("gpt-float-ids", lambda: gpt()(torch.zeros(1, 3)), TypeError, r"idx must hold integer token ids"),
    ("gpt-rank", lambda: gpt()(torch.zeros(3, dtype=torch.long)), ValueError, r"idx must have 2 dimensions"),
    ("gpt-targets-shape", lambda: gpt()(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 4, dtype=torch.long)),
     ValueError, r"targets must have the shape of idx"),
    ("gpt-gen-negative", lambda: gpt().generate(torch.zeros(1, 2, dtype=torch.long), -1), ValueError, r"max_new_tokens must be >= 0"),
    ("gpt-gen-temperature", lambda: gpt().generate(torch.zeros(1, 2, dtype=torch.long), 2, temperature=-1.0), ValueError,
     r"temperature must be >= 0"),
    ("gpt-gen-topk", lambda: gpt().generate(torch.zeros(1, 2, dtype=torch.long), 2, top_k=V + 1), ValueError, r"top_k must be <= 20"),
    ("s2s-vocab", lambda: models.Transformer(0), ValueError, r"vocab_size must be >= 1"),
    ("s2s-src-long", lambda: seq2seq().encode(torch.ones(1, 17, dtype=torch.long)), ValueError, r"context of 16"),
    ("s2s-unknown", lambda: seq2seq().encode(torch.full((1, 3), V)), ValueError, r"src ids must be in"),
    ("s2s-batch", lambda: seq2seq().decode(torch.ones(3, 2, dtype=torch.long), torch.randn(2, 4, 8),
                                           torch.ones(2, 1, 1, 4, dtype=torch.bool)), ValueError, r"tgt batch \(3\) must equal memory batch \(2\)"),
    ("s2s-tgt-shape", lambda: seq2seq()(torch.ones(2, 3, dtype=torch.long), torch.ones(2, 4, dtype=torch.long),
                                        torch.ones(2, 5, dtype=torch.long)), ValueError, r"tgt_out must have the shape of tgt_in"),
    ("s2s-decode-len", lambda: seq2seq().greedy_decode(torch.ones(1, 3, dtype=torch.long), 0), ValueError, r"max_len must be >= 1"),
    ("clf-classes", lambda: models.TransformerClassifier(V, 1), ValueError, r"n_classes must be >= 2"),
    ("clf-labels", lambda: clf()(torch.ones(2, 3, dtype=torch.long), torch.ones(3, dtype=torch.long)), ValueError,
     r"y must be a tensor of 2 labels"),
    ("clf-emb-dim", lambda: clf().forward_embeddings(torch.randn(2, 3, 5)), ValueError, r"emb must have last dimension 8"),
    ("clf-mask", lambda: clf().forward_embeddings(torch.randn(2, 3, 8), torch.ones(2, 4, dtype=torch.bool)), ValueError,
     r"mask must be a bool tensor of shape \(2, 3\)"),
    # data
    ("task-unknown", lambda: data.make_seq2seq("shuffle", 4), ValueError, r"task must be one of"),
    ("task-n", lambda: data.make_seq2seq("copy", 0), ValueError, r"n must be >= 1"),
    ("task-lengths", lambda: data.make_seq2seq("copy", 4, min_len=5, max_len=3), ValueError, r"max_len must be >= 5"),
    ("task-symbols", lambda: data.make_seq2seq("copy", 4, n_symbols=1), ValueError, r"n_symbols must be >= 2"),
    ("s2sdata-batch", lambda: data.Seq2SeqData(n_train=10, n_val=5, batch_size=0), ValueError, r"batch_size must be >= 1"),
    ("split-unknown", lambda: data.Seq2SeqData(n_train=50, n_val=20).get_batch("test", torch.Generator()), ValueError,
     r"split must be one of"),
    ("exact-match-batch", lambda: data.exact_match(torch.ones(2, 3), torch.ones(3, 3)), ValueError, r"same batch size"),
    ("tokenizer-empty", lambda: data.CharTokenizer(""), ValueError, r"text must be a non-empty str"),
    ("tokenizer-unknown", lambda: tok.encode("abz"), ValueError, r"not in the vocabulary: \['z'\]"),
    ("tokenizer-type", lambda: tok.encode(42), TypeError, r"text must be a str"),
    ("tokenizer-decode", lambda: tok.decode([0, 99]), ValueError, r"ids must be in \[0, 4\)"),
    ("lmdata-type", lambda: data.LMData([1, 2, 3], 2, 2), TypeError, r"tokens must be a 1-D LongTensor"),
    ("lmdata-short", lambda: data.LMData(torch.arange(10), 8, 2), ValueError, r"too few for block_size=8"),
    ("lmdata-fraction", lambda: data.LMData(torch.arange(100), 4, 2, val_fraction=0.0), ValueError, r"val_fraction"),
    ("corpus-chars", lambda: data.char_corpus(max_chars=10), ValueError, r"max_chars must be >= 1000"),
    # training
    ("cfg-steps", lambda: train.TrainConfig(steps=0), ValueError, r"steps must be >= 1"),
    ("cfg-lr", lambda: train.TrainConfig(lr=-1e-3), ValueError, r"lr must be > 0"),
    ("cfg-lr-type", lambda: train.TrainConfig(lr="fast"), TypeError, r"lr must be a number"),
    ("cfg-accum", lambda: train.TrainConfig(accum_steps=0), ValueError, r"accum_steps must be >= 1"),
    ("cfg-clip", lambda: train.TrainConfig(grad_clip=-1.0), ValueError, r"grad_clip must be >= 0"),
    ("cfg-min-lr", lambda: train.TrainConfig(lr=1e-3, min_lr=1e-2), ValueError, r"min_lr must be <="),
    ("cfg-nan", lambda: train.TrainConfig(lr=math.nan), ValueError, r"lr must not be NaN"),
    ("train-model", lambda: train.train("model", None), TypeError, r"model must be an nn.Module"),
    ("train-data", lambda: train.train(gpt(), [1, 2, 3]), TypeError, r"data must have a get_batch"),
    ("train-cfg", lambda: train.train(gpt(), data.Seq2SeqData(n_train=50, n_val=20), {"steps": 3}), TypeError,
     r"cfg must be a TrainConfig"),
    ("train-device", lambda: train.train(gpt(), data.Seq2SeqData(n_train=50, n_val=20), train.TrainConfig(device="tpu")),
     ValueError, r"device must be one of"),
    # compute
    ("flops-zero", lambda: compute.matmul_flops(0, 2, 2), ValueError, r"m must be >= 1"),
    ("flops-model", lambda: compute.gpt_flops_per_token(nn.Linear(2, 2)), TypeError, r"model must be a bigmodel_lib.models.GPT"),
    ("flops-seq", lambda: compute.gpt_flops_per_token(gpt(), seq_len=9), ValueError, r"seq_len must be <= 8"),
    ("time-util", lambda: compute.training_time(1e18, 1e12, utilisation=1.5), ValueError, r"utilisation must be <= 1"),
    ("time-devices", lambda: compute.training_time(1e18, 1e12, devices=0), ValueError, r"devices must be >= 1"),
    ("powerlaw-shape", lambda: compute.fit_power_law([1, 2, 3], [1, 2]), ValueError, r"x and y must be 1-D of equal length"),
    ("powerlaw-positive", lambda: compute.fit_power_law([1, 2, -3], [1, 2, 3]), ValueError, r"must be positive"),
    ("chinchilla-budget", lambda: compute.chinchilla_optimal(-1.0), ValueError, r"compute must be > 0"),
    ("matmul-size", lambda: compute.measure_matmul(0), ValueError, r"size must be >= 1"),
]


@pytest.mark.parametrize("thunk,exc,pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_fails_early_and_clearly(thunk, exc, pattern):
    with pytest.raises(exc, match=pattern):
        thunk()


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


def test_fully_masked_queries_are_zero_not_nan():
    """A silent wrong result would be NaN spreading through a model from one all-padding row."""
    mha = attention.MultiHeadAttention(8, 2)
    x = torch.randn(1, 3, 8)
    mask = torch.zeros(1, 1, 3, 3, dtype=torch.bool)
    out, _ = mha(x, mask=mask)
    assert torch.isfinite(out).all()


# ------------------------------------------------------ the chapters' own modules
def _more_cases():
    import numpy as np

    from bigmodel_lib import distributed, interpret, models_table, quantize
    return [
        ("q-absmax-type", lambda: quantize.absmax_quantize([1.0]), TypeError, r"w must be a torch.Tensor"),
        ("q-absmax-int", lambda: quantize.absmax_quantize(torch.ones(3, 3, dtype=torch.long)), TypeError,
         r"w must be a floating-point"),
        ("q-absmax-dim", lambda: quantize.absmax_quantize(torch.randn(3, 3), per_channel=True, dim=5), ValueError,
         r"dim must be in \[-2, 2\)"),
        ("q-absmax-empty", lambda: quantize.absmax_quantize(torch.randn(0, 3)), ValueError, r"w must not be empty"),
        ("q-dequantize-dtype", lambda: quantize.dequantize(torch.randn(3, 3), torch.ones(1)), TypeError, r"q must be int8"),
        ("q-error-type", lambda: quantize.quantization_error("w"), TypeError, r"w must be a torch.Tensor"),
        ("q-int8mm-shape", lambda: quantize.int8_matmul(torch.randn(2, 3), torch.randn(4, 5)), ValueError,
         r"last dim \(3\) must equal w's in-features \(5\)"),
        ("q-int8mm-threshold", lambda: quantize.int8_matmul(torch.randn(2, 3), torch.randn(4, 3), outlier_threshold=-1.0),
         ValueError, r"outlier_threshold must be > 0"),
        ("q-tensor-bytes", lambda: quantize.tensor_bytes("t"), TypeError, r"t must be a tensor"),
        ("q-linear-bytes", lambda: quantize.linear_weight_bytes("m"), TypeError, r"model must be an nn.Module"),
        ("q-serialized", lambda: quantize.serialized_bytes(3), TypeError, r"model must be an nn.Module"),
        ("q-model-bytes", lambda: quantize.model_bytes(-10, 8), ValueError, r"n_params must be >= 0"),
        ("i-data-size", lambda: interpret.MarkerData(n_train=0), ValueError, r"n_train must be >= 1"),
        ("i-remove-shape", lambda: interpret.remove_tokens(torch.ones(2, 3, dtype=torch.long), torch.ones(2, 4, dtype=torch.bool)),
         ValueError, r"drop must be a bool tensor of x's shape \(2, 3\)"),
        ("i-topk-shape", lambda: interpret.topk_precision(np.ones((2, 3)), np.ones((2, 4), bool), np.ones((2, 3), bool)),
         ValueError, r"must be \[B, T\] arrays of one shape"),
        ("i-highlight-length", lambda: interpret.highlight_html(["a", "b"], [1.0]), ValueError, r"scores has 1 values for 2 words"),
        ("i-random-rank", lambda: interpret.random_scores(torch.ones(3, dtype=torch.long)), ValueError,
         r"x must be a \[batch, time\] tensor"),
        ("i-explain-method", lambda: interpret.explain(None, None, torch.ones(1, 3, dtype=torch.long), methods=["magic"]),
         ValueError, r"methods must be among"),
        ("mt-load-missing", lambda: models_table.load("/nonexistent.csv"), FileNotFoundError, r"does not exist"),
        ("mt-six-nd", lambda: models_table.six_nd(-1, 10), ValueError, r"n_params must be > 0"),
        ("mt-weight-dtype", lambda: models_table.weight_bytes(1e9, "fp7"), ValueError, r"dtype must be one of"),
        ("mt-summary-name", lambda: models_table.model_summary("NoSuchModel"), ValueError, r"name must be one of the table's models"),
        ("mt-growth-length", lambda: models_table.fit_growth([2020, 2021], [1.0]), ValueError, r"equal length >= 3"),
        ("c-utilisation", lambda: compute.utilisation(1e12, -1, 1e12), ValueError, r"seconds must be > 0"),
        ("c-implied", lambda: compute.implied_utilisation(1e20, 0, 1e12), ValueError, r"device_hours must be > 0"),
        ("c-estimate-gpu", lambda: compute.training_estimate(1e9, 1e10, gpu="Z80"), ValueError, r"gpu must be one of"),
        ("c-activation-batch", lambda: compute.activation_bytes(0, 10, 8, 1, 2), ValueError, r"batch must be >= 1"),
        ("c-training-memory", lambda: compute.training_memory(-5, 1, 10, 8, 1, 2), ValueError, r"n_params must be >= 1"),
        ("c-gpt-memory", lambda: compute.gpt_training_memory(nn.Linear(2, 2), 1), TypeError, r"model must be a bigmodel_lib.models.GPT"),
        ("c-inference-memory", lambda: compute.inference_memory(1e9, 0, 10, 2, 8), ValueError, r"batch must be >= 1"),
        ("c-checkpointing", lambda: compute.with_checkpointing(nn.Linear(2, 2)), TypeError, r"must have a .blocks"),
        ("c-saved-callable", lambda: compute.saved_activation_bytes(3), TypeError, r"fn must be a callable"),
        ("c-time-clock", lambda: compute.time_fn(lambda: None, clock="sundial"), ValueError, r"clock must be 'wall' or 'cpu'"),
        ("c-peak-sizes", lambda: compute.measure_peak(sizes=(0,)), ValueError, r"size must be >= 1"),
        ("c-chinchilla-loss", lambda: compute.chinchilla_loss(-1, 10), ValueError, r"n_params must be > 0"),
        ("d-zero-stage", lambda: distributed.zero_model_state_bytes(1e9, 8, 4), ValueError, r"stage must be one of"),
        ("d-zero-devices", lambda: distributed.zero_model_state_bytes(1e9, 0, 1), ValueError, r"n_devices must be an int >= 1"),
    ]


MORE = _more_cases()


@pytest.mark.parametrize("thunk,exc,pattern", [c[1:] for c in MORE], ids=[c[0] for c in MORE])
def test_bad_input_to_chapter_modules(thunk, exc, pattern):
    with pytest.raises(exc, match=pattern):
        thunk()


def test_every_public_callable_has_a_bad_input_case():
    """The battery must grow with the library: each public function/class of these modules is named in a case."""
    import inspect

    from bigmodel_lib import checks, distributed, interpret, models_table, quantize
    text = inspect.getsource(inspect.getmodule(test_every_public_callable_has_a_bad_input_case))
    missing = []
    for mod in (attention, layers, models, data, train, device, compute, quantize, interpret, models_table, distributed):
        for name, obj in vars(mod).items():
            if name.startswith("_") or not callable(obj) or getattr(obj, "__module__", None) != mod.__name__:
                continue
            if f"{name}(" not in text:
                missing.append(f"{mod.__name__}.{name}")
    # plain helpers with no arguments to get wrong, plotting and entry points are exempt
    exempt = {"bigmodel_lib.data.load_corpus", "bigmodel_lib.train.History", "bigmodel_lib.train.default_loss",
              "bigmodel_lib.train.make_optimizer", "bigmodel_lib.train.evaluate", "bigmodel_lib.train.lr_at",
              "bigmodel_lib.train.save_checkpoint", "bigmodel_lib.train.load_checkpoint",
              "bigmodel_lib.device.autocast", "bigmodel_lib.compute.matmul_params", "bigmodel_lib.compute.training_flops",
              "bigmodel_lib.compute.Checkpointed", "bigmodel_lib.interpret.plot_highlights",
              "bigmodel_lib.models_table.fmt_si", "bigmodel_lib.models_table.fmt_bytes",
              "bigmodel_lib.distributed.main", "bigmodel_lib.distributed.parse_args", "bigmodel_lib.distributed.build",
              "bigmodel_lib.distributed.init_process_group", "bigmodel_lib.distributed.run_fsdp"}
    missing = [m for m in missing if m not in exempt]
    assert not missing, f"public callables without a bad-input case: {missing}"


def _interpret_cases():
    import numpy as np

    from bigmodel_lib import interpret
    m = models.TransformerClassifier(V, 3, d_model=8, n_heads=2, n_layers=1, max_len=8)
    x2, x1 = torch.ones(2, 3, dtype=torch.long), torch.ones(3, dtype=torch.long)
    return [
        ("unigram-float", lambda: data.unigram_entropy(torch.randn(5)), ValueError, r"tokens must be a non-empty 1-D LongTensor"),
        ("unigram-empty", lambda: data.unigram_entropy(torch.zeros(0, dtype=torch.long)), ValueError, r"non-empty"),
        ("i-make-classifier", lambda: interpret.make_classifier("data"), TypeError, r"data must be a MarkerData"),
        ("i-predict-rank", lambda: interpret.predict_proba(m, x1), ValueError, r"x must have 2 dimensions"),
        ("i-predict-model", lambda: interpret.predict_proba("m", x2), TypeError, r"model must be a bigmodel_lib.models.TransformerClassifier"),
        ("i-accuracy-labels", lambda: interpret.accuracy(m, x2, torch.ones(3, dtype=torch.long)), ValueError, r"y must be a tensor of 2 labels"),
        ("i-attention-rank", lambda: interpret.attention_scores(m, x1), ValueError, r"x must have 2 dimensions"),
        ("i-attention-layer", lambda: interpret.attention_scores(m, x2, layer=5), ValueError, r"layer must be 'mean' or an int"),
        ("i-grad-unknown-token", lambda: interpret.grad_x_input(m, torch.full((2, 3), V)), ValueError, r"x ids must be in"),
        ("i-ig-steps", lambda: interpret.integrated_gradients(m, x2, n_steps=0), ValueError, r"n_steps must be >= 2"),
        ("i-occlusion-rank", lambda: interpret.occlusion_scores(m, x1), ValueError, r"x must have 2 dimensions"),
        ("i-lime-samples", lambda: interpret.lime_scores(m, interpret.MarkerData(n_train=50, n_val=10), x2, num_samples=0),
         ValueError, r"num_samples must be >= 10"),
        ("i-shap-samples", lambda: interpret.shap_scores(m, x2, nsamples=0), ValueError, r"nsamples must be >= 10"),
        ("i-deletion-shape", lambda: interpret.deletion_curve(m, x2, np.ones((2, 4))), ValueError, r"scores must have x's shape \(2, 3\)"),
        ("i-score-marker", lambda: interpret.score_methods(m, x2, torch.ones(2, 4, dtype=torch.bool), {"random": np.ones((2, 3))}),
         ValueError, r"marker must be a tensor of x's shape"),
        ("i-score-empty", lambda: interpret.score_methods(m, x2, torch.ones(2, 3, dtype=torch.bool), {}), ValueError,
         r"attributions must map at least one method"),
    ]


INTERPRET = _interpret_cases()


@pytest.mark.parametrize("thunk,exc,pattern", [c[1:] for c in INTERPRET], ids=[c[0] for c in INTERPRET])
def test_bad_input_to_interpret(thunk, exc, pattern):
    with pytest.raises(exc, match=pattern):
        thunk()
