"""The chapter-13 quiz checker and exercise checkers: right answers pass, wrong ones fail with a pointer, blanks
are 'not attempted'. (Chapters 01 and 02's checkers are tested in tests/test_exercises_ch00_ch03.py.)"""
import math

import pytest

from bigmodel_lib.exercises import ch13

KEY = [q["answer"] for q in ch13.QUIZ]


def test_quiz_is_well_formed():
    assert len(ch13.QUIZ) >= 6
    for q in ch13.QUIZ:
        assert 0 <= q["answer"] < len(q["options"]) and len(set(q["options"])) == len(q["options"])
        assert q["chapters"] and all(c in ch13.CHAPTERS for c in q["chapters"])
    assert len({q["answer"] for q in ch13.QUIZ}) > 1, "the right option should not always sit in the same place"


def test_grade_right_wrong_blank():
    g = ch13.grade(KEY)
    assert g == {**g, "correct": len(KEY), "total": len(KEY), "blank": 0}
    wrong = [(a + 1) % len(q["options"]) for a, q in zip(KEY, ch13.QUIZ)]
    g = ch13.grade(wrong)
    assert g["correct"] == 0 and all("revisit ch." in f for f in g["feedback"])
    g = ch13.grade([None] * len(KEY))
    assert g["correct"] == 0 and g["blank"] == len(KEY)
    mixed = list(KEY)
    mixed[0] = None
    assert ch13.grade(mixed)["correct"] == len(KEY) - 1


@pytest.mark.parametrize("bad, err", [("abc", TypeError), (5, TypeError), ([0], ValueError),
                                      ([99] * len(KEY), ValueError), ([True] * len(KEY), ValueError)])
def test_grade_rejects_bad_input(bad, err):
    with pytest.raises(err):
        ch13.grade(bad)


def test_exercise_wrappers():
    assert ch13.exercise_1(None).attempted is False
    assert ch13.exercise_1(KEY).passed
    r = ch13.exercise_1([0] * len(KEY))
    assert r.attempted and not r.passed
    assert not ch13.exercise_1([0]).passed          # a bad answer is a failed Result, not a crash
    assert ch13.exercise_2(lambda f, p, u, d: math.ceil(f / (p * u * d * 86400))).passed
    assert not ch13.exercise_2(lambda f, p, u, d: f / (p * u * d * 86400)).passed   # not rounded up
