"""Exercises of chapter 08 (scaling laws and efficient algorithms)."""
from __future__ import annotations

import math

from . import Result, run_check, verdict


def exercise_1(fn) -> Result:
    """alpha_from_two_points(n1, loss1, n2, loss2) = -ln(loss2/loss1) / ln(n2/n1)."""
    name = "08.1 exponent from two points"

    def check(f):
        cases = [(1e6, 3.0, 1e7, 3.0 * 10 ** -0.076), (1e3, 2.5, 1e5, 2.0), (5e4, 4.0, 2e5, 3.5)]
        got = [float(f(*c)) for c in cases]
        want = [-math.log(l2 / l1) / math.log(n2 / n1) for n1, l1, n2, l2 in cases]
        ok = all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(got, want))
        return verdict(name, ok, "right: on log-log axes a power law is a straight line, and -α is its slope.",
                       f"for {cases[1]} you gave {got[1]:.4g}, expected {want[1]:.4g}. Take logs: "
                       f"ln L = ln a - α ln N, so α = -Δln L / Δln N.")
    return run_check(name, fn, check)


def exercise_2(answer) -> Result:
    """20 tokens per parameter and C = 6·N·D -> N = sqrt(C/120), D = 20·N."""
    name = "08.2 compute-optimal split"

    def check(a):
        n, d = (float(v) for v in a)
        wn = math.sqrt(1e24 / 120)
        ok = math.isclose(n, wn, rel_tol=0.01) and math.isclose(d, 20 * wn, rel_tol=0.01)
        return verdict(name, ok, f"right: N ≈ {wn:.3g} parameters on D ≈ {20 * wn:.3g} tokens.",
                       f"you gave N = {n:.3g}, D = {d:.3g}. Put D = 20·N into C = 6·N·D: C = 120·N².")
    return run_check(name, answer, check)


def exercise_3(fn) -> Result:
    """positions_processed(n, use_cache): n(n+1)/2 without a cache, n with one."""
    name = "08.3 work of generation"

    def check(f):
        ns = [1, 10, 127]
        got = [(int(f(n, False)), int(f(n, True))) for n in ns]
        want = [(n * (n + 1) // 2, n) for n in ns]
        return verdict(name, got == want, "right: without a cache step t reruns all t positions (n(n+1)/2 in "
                       "all); with one, each step runs only the newest token.",
                       f"for n = {ns} you gave {got}, expected {want}.")
    return run_check(name, fn, check)
