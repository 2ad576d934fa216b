"""Checkers of chapters 00 to 03 accept right answers, reject the common wrong ones with a hint, and never
fail on None. (Each chapter's solutions notebook runs the right answers too; these tests pin the wrong ones.)"""
import math

import torch
import torch.nn.functional as F

from bigmodel_lib.exercises import ch00, ch01, ch02, ch03


def test_ch00_checkers():
    assert ch00.exercise_1(lambda b, i, h, o: 2 * b * (i * h + h * o)).passed
    r = ch00.exercise_1(lambda b, i, h, o: b * (i * h + h * o))
    assert not r.passed and "multiplies only" in r.message
    assert not ch00.exercise_2("no-such-device").passed
    assert not ch00.exercise_3(None).attempted
    assert not ch00.exercise_3("a model").passed


def test_ch01_checkers():
    from bigmodel_lib import models_table as mt
    from bigmodel_lib.compute import GPUS
    days = mt.model_summary("GPT-3 175B")["train_flops"] / (1024 * GPUS["A100"]["peak_flops"] * 0.5) / 86400
    assert ch01.exercise_1(days).passed
    assert "MFU" in ch01.exercise_1(days / 2).message

    def naive(past, date):
        rows = past.dropna(subset=["train_flops"])
        f = mt.fit_growth(rows["date"], rows["train_flops"])
        return 10 ** (f["slope"] * date + f["intercept"])
    assert not ch01.exercise_2(naive).passed                   # the plain fit misses by far more than 4x

    def six_nd(past, date):
        def fit(col):
            rows = past.dropna(subset=[col])
            f = mt.fit_growth(rows["date"], rows[col])
            return 10 ** (f["slope"] * date + f["intercept"])
        return 6 * fit("params") * fit("train_tokens")
    assert ch01.exercise_2(six_nd).passed
    assert not ch01.exercise_3("DeepSeek-V3").passed
    assert ch01.exercise_4(lambda L, d, V: 6 * (12 * L * d * d + V * d)).passed
    assert "forward pass only" in ch01.exercise_4(lambda L, d, V: 2 * (12 * L * d * d + V * d)).message
    assert "head" in ch01.exercise_4(lambda L, d, V: 6 * 12 * L * d * d).message


def test_ch02_checkers():
    per = {"sgd": 2, "momentum": 3, "adamw": 4}
    size = {"fp32": 4, "bf16": 2}
    assert ch02.exercise_1(lambda n, o, d: n * per[o] * size[d]).passed
    assert not ch02.exercise_1(lambda n, o, d: n * (per[o] - 1) * size[d]).passed       # forgot the gradient
    assert not ch02.exercise_1(lambda n, o, d: 16 * n if o == "adamw" else n * per[o] * size[d]).passed
    assert ch02.exercise_2(128).passed and "bf16 weights alone" in ch02.exercise_2(16).message
    assert not ch02.exercise_3((24, 16, 1024)).passed                                    # GPT-2 medium: 85%
    assert ch02.exercise_3((36, 14, 896)).passed
    assert not ch02.exercise_3((2, 3, 64)).passed                                        # 64 % 3 != 0


def _mha(x, w_in, b_in, w_out, b_out, h, scale_by_d=False, causal=True):
    B, T, d = x.shape
    q, k, v = F.linear(x, w_in, b_in).split(d, dim=-1)
    split = lambda t: t.view(B, T, h, d // h).transpose(1, 2)  # noqa: E731
    q, k, v = split(q), split(k), split(v)
    s = q @ k.transpose(-2, -1) / math.sqrt(d if scale_by_d else d // h)
    if causal:
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
    return F.linear((torch.softmax(s, -1) @ v).transpose(1, 2).reshape(B, T, d), w_out, b_out)


def test_ch03_checkers():
    assert ch03.exercise_1(_mha).passed
    assert "without* the causal mask" in ch03.exercise_1(lambda *a: _mha(*a, causal=False)).message
    assert not ch03.exercise_1(lambda *a: _mha(*a, scale_by_d=True)).passed
    r = ch03.exercise_1(lambda *a: 1 / 0)
    assert not r.passed and r.attempted and "ZeroDivisionError" in r.message
    assert not ch03.exercise_1(None).attempted
    assert ch03.exercise_2(lambda d, s: 1 / (s * s * math.sqrt(d))).passed
    assert not ch03.exercise_2(lambda d, s: 1 / math.sqrt(d)).passed
    assert ch03.exercise_3(lambda b, h, t, e: b * h * t * t * e).passed
    assert not ch03.exercise_3(lambda b, h, t, e: b * h * t * e).passed
    e = math.e
    assert ch03.exercise_4([e / (e + 1), 0, 1 / (e + 1), 1 / (e + 1)]).passed
    assert "without the mask" in ch03.exercise_4([0.42, 0.42, 0.16, 0.16]).message
    shift = torch.zeros(8, 8)
    for i in range(1, 8):
        shift[i, i - 1] = 1.0
    assert ch03.exercise_5(lambda: (12 * shift, torch.eye(8))).passed
    assert not ch03.exercise_5(lambda: (3 * shift, torch.eye(8))).passed                 # right pattern, too soft
    assert not ch03.exercise_5(lambda: (12 * shift.T, torch.eye(8))).passed              # attends to the future
