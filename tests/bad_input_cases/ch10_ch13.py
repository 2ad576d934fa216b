"""Bad-input cases for chapters 10 to 13: their figures (bigmodel_lib.diagrams.ch10 .. ch13) and exercise
checkers (bigmodel_lib.exercises.ch10 .. ch13)."""
import matplotlib

matplotlib.use("Agg")


from bigmodel_lib.diagrams import ch10, ch11, ch12, ch13  # noqa: E402
from bigmodel_lib.exercises import Result as FAILED_RESULT  # noqa: E402
from bigmodel_lib.exercises import ch10 as e10  # noqa: E402
from bigmodel_lib.exercises import ch11 as e11  # noqa: E402
from bigmodel_lib.exercises import ch12 as e12  # noqa: E402
from bigmodel_lib.exercises import ch13 as e13  # noqa: E402

LABELS = [
    (ch10, ("granularity", "outlier_feature", "rtn_gptq_awq")),
    (ch11, ("memory_stack", "checkpointing")),
    (ch12, ("inside_methods", "perturbation_methods")),
    (ch13, ("capstone_plan",)),
]

CASES = [
    (f"diag{mod.__name__[-2:]}-{fn}-labels", f"diagrams.{mod.__name__.rsplit('.', 1)[1]}.{fn}",
     lambda mod=mod, fn=fn: getattr(mod, fn)(labels="German"), TypeError, r"labels must be a dict")
    for mod, fns in LABELS for fn in fns
] + [
    ("diag10-grid-type", "diagrams.ch10.int8_grid", lambda: ch10.int8_grid([0.1, 0.2]), TypeError,
     r"weights must be a torch.Tensor"),
    ("diag11-states-gpus", "diagrams.ch11.state_bytes_per_gpu", lambda: ch11.state_bytes_per_gpu(7e9, 1e9, 0),
     ValueError, r"n_gpus >= 1"),
    ("diag11-ckpt-layers", "diagrams.ch11.checkpointing", lambda: ch11.checkpointing(n_layer=20), ValueError,
     r"n_layer must be an int in 2..8"),
    ("diag13-coverage-empty", "diagrams.ch13.coverage_map", lambda: ch13.coverage_map({}, range(14)), ValueError,
     r"coverage must map"),
    ("diag13-coverage-chapter", "diagrams.ch13.coverage_map", lambda: ch13.coverage_map({"x": [99]}, range(14)),
     ValueError, r"chapter 99"),
    ("ex10-1-shape", "exercises.ch10.exercise_1", lambda: e10.exercise_1(lambda w: (w, 1.0)), FAILED_RESULT,
     r"q must be an int8 tensor"),
    ("ex10-2-wrong", "exercises.ch10.exercise_2", lambda: e10.exercise_2(2.54 / 127), FAILED_RESULT,
     r"how far can a value be"),
    ("ex10-3-wrong", "exercises.ch10.exercise_3", lambda: e10.exercise_3((28, 14, 7)), FAILED_RESULT,
     r"bits per parameter"),
    ("ex10-4-choice", "exercises.ch10.exercise_4", lambda: e10.exercise_4((4,), None, None), FAILED_RESULT,
     r"give a pair \(bits, group_size\)"),
    ("ex11-1-wrong", "exercises.ch11.exercise_1", lambda: e11.exercise_1(lambda n: 12 * n), FAILED_RESULT,
     r"12 bytes/param"),
    ("ex11-2-half", "exercises.ch11.exercise_2", lambda: e11.exercise_2(2 ** 31), FAILED_RESULT,
     r"keep both the keys and the values"),
    ("ex11-3-wrong", "exercises.ch11.exercise_3", lambda: e11.exercise_3(80), FAILED_RESULT, r"expected 81"),
    ("ex11-4-half", "exercises.ch11.exercise_4",
     lambda: e11.exercise_4(lambda m, b, t: m.config.n_layer * b * t * m.config.d_model * 4), FAILED_RESULT,
     r"key AND a value"),
    ("ex11-5-setting", "exercises.ch11.exercise_5", lambda: e11.exercise_5((32, True)), FAILED_RESULT,
     r"give \(batch, checkpointing, autocast\)"),
    ("ex11-step-batch", "exercises.ch11.step_memory", lambda: e11.step_memory(0, False, False), ValueError,
     r"batch_size must be >= 1"),
    ("ex12-1-abs", "exercises.ch12.exercise_1", lambda: e12.exercise_1(lambda s, m: 0.0), FAILED_RESULT,
     r"expected"),
    ("ex12-2-short", "exercises.ch12.exercise_2", lambda: e12.exercise_2(lambda f, x, s, k: [1.0]), FAILED_RESULT,
     r"The first\s+value is the untouched input"),
    ("ex12-3-both", "exercises.ch12.exercise_3", lambda: e12.exercise_3(1 / 45), FAILED_RESULT,
     r"chance of picking \*both\*"),
    ("ex12-4-text", "exercises.ch12.exercise_4", lambda: e12.exercise_4(3, ("lime", "shap"), "a reason of words",
                                                                      None, None), FAILED_RESULT,
     r"my_text must be a non-empty string"),
    ("ex13-1-short", "exercises.ch13.exercise_1", lambda: e13.exercise_1([0]), FAILED_RESULT, r"raised"),
    ("ex13-2-floor", "exercises.ch13.exercise_2", lambda: e13.exercise_2(lambda f, p, u, d: f // (p * u * d * 86400)),
     FAILED_RESULT, r"Round \*up\*"),
    ("ex13-capstone-plan", "exercises.ch13.capstone", lambda: e13.capstone({"n_layer": 1}, 1.0, 2.0, 1e10),
     FAILED_RESULT, r"plan must be a dict"),
]
