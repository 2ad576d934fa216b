"""Checkers of chapters 03 and 04 accept right answers, reject wrong ones, and never fail on None;
time_fn's clock option (added for chapter 03's timing on a shared machine) validates its input."""
import pytest

from bigmodel_lib.compute import time_fn

# chapter 03's checkers are tested in tests/test_exercises_ch00_ch03.py


# chapter 04's checkers are tested in tests/test_exercises_ch04_ch06.py


def test_time_fn_clock():
    assert time_fn(lambda: sum(range(1000)), repeats=3, clock="cpu") >= 0
    with pytest.raises(ValueError, match="clock"):
        time_fn(lambda: None, clock="gpu")
