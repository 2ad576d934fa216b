"""Chapter 13's capstone checker: it trains the plan with the library's loop, then checks time and loss."""
import pytest

from bigmodel_lib.exercises import ch13

PLAN = dict(n_layer=1, d_model=32, n_head=2, batch_size=4, steps=3, lr=3e-3)


def test_not_attempted_and_bad_plans():
    assert ch13.capstone(None, 1.0, 2.0, 1e10).attempted is False
    r = ch13.capstone({"n_layer": 1}, 1.0, 2.0, 1e10)
    assert r.attempted and not r.passed and "plan must be a dict" in r.message
    r = ch13.capstone({**PLAN, "dropout": 0.1}, 1.0, 2.0, 1e10)
    assert not r.passed and "plan must be a dict" in r.message


def test_goal_met_and_missed():
    ok = ch13.capstone(PLAN, 1.0, 10.0, 1e10, device="cpu")          # any trained model beats 10 nats/char
    assert ok.passed, ok.message
    d = ok.details
    assert d["tokens"] == 3 * 4 * ch13.BLOCK_SIZE and d["seconds"] < 60
    assert d["n_opt"] == pytest.approx((1e10 * 60 / 120) ** 0.5, rel=1e-9)   # C = 6·N·(20·N)
    missed = ch13.capstone(PLAN, 1.0, 0.5, 1e10, device="cpu")         # 3 steps cannot reach 0.5 nats
    assert not missed.passed and "NOT reached" in missed.message
    late = ch13.capstone(PLAN, 0.0001, 10.0, 1e10, device="cpu")       # a budget of 6 ms cannot be kept
    assert not late.passed and "NOT kept" in late.message
