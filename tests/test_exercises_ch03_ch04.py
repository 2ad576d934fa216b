"""Checkers of chapters 03 and 04 accept right answers, reject wrong ones, and never fail on None;
time_fn's clock option (added for chapter 03's timing on a shared machine) validates its input."""
import math

import pytest
import torch

from bigmodel_lib.compute import time_fn
from bigmodel_lib.exercises import ch03, ch04


def test_ch03_checkers():
    good = lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), -1) @ v  # noqa: E731
    assert ch03.exercise_1(good).passed
    assert not ch03.exercise_1(lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1), -1) @ v).passed
    assert ch03.exercise_2(lambda d, s: 1 / (s * s * math.sqrt(d))).passed
    assert not ch03.exercise_2(lambda d, s: 1 / math.sqrt(d)).passed
    assert ch03.exercise_3(lambda b, h, t, e: b * h * t * t * e).passed
    assert not ch03.exercise_3(lambda b, h, t, e: b * h * t * e).passed
    r = ch03.exercise_1(lambda q, k, v: 1 / 0)
    assert not r.passed and r.attempted and "ZeroDivisionError" in r.message
    assert not ch03.exercise_1(None).attempted


def test_ch04_checkers():
    def sinusoid(p, i, d):
        f = 1 / 10000 ** (2 * (i // 2) / d)
        return math.sin(p * f) if i % 2 == 0 else math.cos(p * f)
    assert ch04.exercise_1(sinusoid).passed
    assert not ch04.exercise_1(lambda p, i, d: 0.0).passed
    assert ch04.exercise_2(lambda d, f: 4 * d * d + 2 * d * f + f + 9 * d).passed
    assert not ch04.exercise_2(lambda d, f: 4 * d * d + 2 * d * f).passed
    assert ch04.exercise_3(lambda task, p, n: p if task == "copy" else n - 1 - p).passed
    assert not ch04.exercise_3(lambda task, p, n: n - p).passed
    assert not ch04.exercise_3(None).attempted


def test_time_fn_clock():
    assert time_fn(lambda: sum(range(1000)), repeats=3, clock="cpu") >= 0
    with pytest.raises(ValueError, match="clock"):
        time_fn(lambda: None, clock="gpu")
