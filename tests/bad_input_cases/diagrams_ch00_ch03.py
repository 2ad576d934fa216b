"""Bad-input cases for the figures of chapters 00 to 03 (bigmodel_lib.diagrams.ch00 .. ch03)."""
import matplotlib

matplotlib.use("Agg")

from bigmodel_lib.diagrams import ch00, ch01, ch02, ch03  # noqa: E402

X3 = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]

CASES = [
    ("diag00-labels", "diagrams.ch00.what_runs_where", lambda: ch00.what_runs_where(labels="German"), TypeError,
     r"labels must be a dict"),
    ("diag01-timeline-empty", "diagrams.ch01.timeline", lambda: ch01.timeline([]), ValueError,
     r"events must be a non-empty list"),
    ("diag01-timeline-kind", "diagrams.ch01.timeline", lambda: ch01.timeline([(2020.0, "GPT-3", "rumour")]),
     ValueError, r"'model' \| 'idea'"),
    ("diag01-map-labels", "diagrams.ch01.challenges_map", lambda: ch01.challenges_map(labels=["x"]), TypeError,
     r"labels must be a dict"),
    ("diag02-block-labels", "diagrams.ch02.block_parameters", lambda: ch02.block_parameters(labels=3), TypeError,
     r"labels must be a dict"),
    ("diag02-bytes-labels", "diagrams.ch02.bytes_per_parameter", lambda: ch02.bytes_per_parameter(labels=3),
     TypeError, r"labels must be a dict"),
    ("diag02-tok-empty", "diagrams.ch02.tokenizations", lambda: ch02.tokenizations([]), ValueError,
     r"rows must be a non-empty list"),
    ("diag02-tok-texts", "diagrams.ch02.tokenizations",
     lambda: ch02.tokenizations([("a", ["ab"]), ("b", ["a", "c"])]), ValueError, r"join to the same text"),
    ("diag03-qkv-shapes", "diagrams.ch03.qkv_one_query",
     lambda: ch03.qkv_one_query(["a", "b", "c"], [1.0, 0.0, 0.0], X3, X3, 0), ValueError, r"need q \[d_k\]"),
    ("diag03-qkv-tokens", "diagrams.ch03.qkv_one_query",
     lambda: ch03.qkv_one_query(["a", "b"], [1.0, 0.0], X3, X3, 0), ValueError, r"tokens must name the 3 keys"),
    ("diag03-masks-shape", "diagrams.ch03.masks",
     lambda: ch03.masks(["a", "b"], [[True, True]], [[0.5, 0.5], [1, 0]], ["a", "b"], [[True]], [[1.0]]),
     ValueError, r"each mask must have the shape of its weights"),
    ("diag03-heads-divide", "diagrams.ch03.multi_head", lambda: ch03.multi_head(d_model=5, n_heads=2), ValueError,
     r"d_model \(5\) must be divisible by n_heads \(2\)"),
    ("diag03-heads-many", "diagrams.ch03.multi_head", lambda: ch03.multi_head(d_model=8, n_heads=8), ValueError,
     r"n_heads must be 1..4"),
]
