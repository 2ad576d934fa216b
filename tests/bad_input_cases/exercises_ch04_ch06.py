"""Bad-input cases for the checkers of chapters 04 to 06 that take a model and data besides the answer: an answer
of the wrong kind gets a failed Result that says what to give (the checkers that take the answer alone are
covered by tests/bad_input_cases/exercises.py)."""
from bigmodel_lib.exercises import ch04, ch06

from . import FAILED_RESULT


def _reverse_model():
    import torch

    from bigmodel_lib.data import Seq2SeqData
    from bigmodel_lib.models import Transformer
    data = Seq2SeqData("reverse", n_train=50, n_val=20, min_len=3, max_len=5, seed=0)
    torch.manual_seed(0)
    return Transformer(data.vocab_size, d_model=16, n_heads=2, n_layers=1, dropout=0.0), data


def _marker_model():
    import torch

    from bigmodel_lib import interpret as I
    data = I.MarkerData(n_train=10, n_val=10, seed=0)
    torch.manual_seed(0)
    return I.make_classifier(data, d_model=16, n_heads=2, n_layers=1), data


CASES = [
    ("ex-ch04-4-symbols", "exercises.ch04.exercise_4", lambda: ch04.exercise_4([42], *_reverse_model()),
     FAILED_RESULT, r"symbols in 0\.\.9"),
    ("ex-ch04-4-kind", "exercises.ch04.exercise_4", lambda: ch04.exercise_4(3.5, *_reverse_model()),
     FAILED_RESULT, r"raised TypeError"),
    ("ex-ch06-3-kind", "exercises.ch06.exercise_3", lambda: ch06.exercise_3(["good"], *_marker_model()),
     FAILED_RESULT, r"one string"),
    ("ex-ch06-3-vocab", "exercises.ch06.exercise_3", lambda: ch06.exercise_3("very zzz", *_marker_model()),
     FAILED_RESULT, r"not in the vocabulary"),
]
