"""Bad-input cases for the drawing primitives of bigmodel_lib.diagrams (format: tests/bad_input_cases/__init__.py).
The figure functions of each chapter (diagrams.chNN) have their own files."""
import matplotlib

matplotlib.use("Agg")

from bigmodel_lib import diagrams  # noqa: E402


def _ax():
    import matplotlib.pyplot as plt
    fig, ax = diagrams.canvas(4, 3)
    plt.close(fig)
    return ax


CASES = [
    ("dg-label-type", "diagrams.label", lambda: diagrams.label("labels", "title", "Attention"), TypeError,
     r"labels must be a dict of str -> str"),
    ("dg-canvas-size", "diagrams.canvas", lambda: diagrams.canvas(-1, 2), ValueError, r"width and height must be > 0"),
    ("dg-box-ax", "diagrams.box", lambda: diagrams.box("ax", 0, 0, 1, 1, "x"), TypeError, r"ax must be a matplotlib Axes"),
    ("dg-box-size", "diagrams.box", lambda: diagrams.box(_ax(), 0, 0, -1, 1, "x"), ValueError, r"w and h must be > 0"),
    ("dg-arrow-ax", "diagrams.arrow", lambda: diagrams.arrow("ax", (0, 0), (1, 1)), TypeError, r"ax must be a matplotlib Axes"),
    ("dg-matrix-ragged", "diagrams.matrix", lambda: diagrams.matrix(_ax(), 0, 0, [[1, 2], [3]]), ValueError,
     r"values must be a non-empty rectangular list of rows"),
    ("dg-note-ax", "diagrams.note", lambda: diagrams.note("ax", 0, 0, "x"), TypeError, r"ax must be a matplotlib Axes"),
    ("dg-finish-fig", "diagrams.finish", lambda: diagrams.finish("fig"), TypeError, r"fig must be a matplotlib Figure"),
]
