"""Checkers of chapters 04 to 06 accept right answers, reject the common wrong ones with a hint, and never fail
on None. The references are independent of the code the chapters print: PyTorch's own layers and FLOP counter,
and closed-form answers."""
import math

import numpy as np
import torch
import torch.nn.functional as F

from bigmodel_lib.exercises import ch04, ch05, ch06


def _encoder_layer(x, layer, scale_by_head=True):
    b, t, d = x.shape
    h = layer.self_attn.num_heads
    q, k, v = F.linear(x, layer.self_attn.in_proj_weight, layer.self_attn.in_proj_bias).chunk(3, dim=-1)
    split = lambda z: z.view(b, t, h, d // h).transpose(1, 2)  # noqa: E731
    q, k, v = split(q), split(k), split(v)
    w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // h if scale_by_head else d), dim=-1)
    x = layer.norm1(x + layer.self_attn.out_proj((w @ v).transpose(1, 2).reshape(b, t, d)))
    return layer.norm2(x + layer.linear2(torch.relu(layer.linear1(x))))


def test_ch04_checkers():
    assert ch04.exercise_1([2, 3, 4, 5]).passed
    r = ch04.exercise_1(list(range(6)))
    assert not r.passed and "WITHOUT the causal mask" in r.message
    assert not ch04.exercise_1([2]).passed
    assert ch04.exercise_2(3_152_384).passed
    r = ch04.exercise_2(4 * 512 * 512 + 2 * 512 * 2048)
    assert not r.passed and "biases" in r.message
    assert ch04.exercise_3(_encoder_layer).passed
    r = ch04.exercise_3(lambda x, layer: _encoder_layer(x, layer, scale_by_head=False))
    assert not r.passed and "sqrt(d/heads)" in r.message
    assert not ch04.exercise_3(None).attempted


def test_ch04_explore_checker_runs_the_model():
    from bigmodel_lib.data import Seq2SeqData
    from bigmodel_lib.models import Transformer
    data = Seq2SeqData("reverse", n_train=200, n_val=50, min_len=3, max_len=5, seed=0)
    torch.manual_seed(0)
    model = Transformer(data.vocab_size, d_model=16, n_heads=2, n_layers=1, dropout=0.0)   # untrained: wrong
    assert ch04.exercise_4([1, 2, 3], model, data).passed
    r = ch04.exercise_4([11], model, data)
    assert not r.passed and "0..9" in r.message


def test_ch05_checkers():
    L, d, V = 12, 768, 50257
    n = 12 * L * d * d + V * d
    assert ch05.exercise_1((6 * n + 12 * L * d * 8192) / (6 * n + 12 * L * d * 1024)).passed
    assert "6N part" in ch05.exercise_1(8).message
    assert not ch05.exercise_1(1.0).passed

    def flops(widths, batch):
        return sum((4 if i == 0 else 6) * a * b * batch for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])))
    assert ch05.exercise_2(flops).passed
    r = ch05.exercise_2(lambda w, b: 6 * sum(x * y for x, y in zip(w[:-1], w[1:])) * b)
    assert not r.passed and "first layer" in r.message
    assert not ch05.exercise_2(None).attempted


def test_ch05_explore_checker_rejects_bad_shapes():
    assert "keys" in ch05.exercise_3({"n_layer": 2}).message
    assert "budget" in ch05.exercise_3(dict(n_layer=8, d_model=1024, block_size=512, batch=16)).message
    r = ch05.exercise_3(dict(n_layer=1, d_model=16, block_size=8, batch=1))    # tiny matrices: slower per FLOP
    assert r.attempted and not r.passed


def test_ch06_checkers():
    assert ch06.exercise_1("up").passed
    assert not ch06.exercise_1("down").passed
    assert "answer" in ch06.exercise_1("maybe").message

    def surrogate(f, n_words, n_samples, seed):
        z = (np.random.default_rng(seed).random((n_samples, n_words)) < 0.5).astype(float)
        coef, *_ = np.linalg.lstsq(np.column_stack([z, np.ones(n_samples)]), f(z), rcond=None)
        return coef[:n_words]

    def occlusion(f, n_words, n_samples, seed):
        full = f(np.ones((1, n_words)))[0]
        return np.array([full - f((1 - np.eye(n_words)[i])[None])[0] for i in range(n_words)])
    assert ch06.exercise_2(surrogate).passed
    r = ch06.exercise_2(occlusion)
    assert not r.passed and "leave-one-out" in r.message
    assert not ch06.exercise_2(None).attempted


def test_ch06_explore_checker():
    from bigmodel_lib import interpret as I
    data = I.MarkerData(n_train=10, n_val=10, seed=0)
    torch.manual_seed(0)
    model = I.make_classifier(data, d_model=16, n_heads=2, n_layers=1)      # untrained: not confident
    assert "vocabulary" in ch06.exercise_3("the film was zzz", model, data).message
    r = ch06.exercise_3("the film was good", model, data)
    assert r.attempted and not r.passed
