"""Every chapter teaches, not only proves: conceptual figures, predict-then-run moments, and exercises in
three tiers (Understand, Build, Explore), found by the cell tags the chapters use.

Tags: a code cell that draws a conceptual figure (from `bigmodel_lib.diagrams`) carries `concept-figure`;
a markdown cell that asks the learner to guess before a measurement carries `predict`; the markdown cell
that opens an exercise carries `exercise-understand`, `exercise-build` or `exercise-explore`, and its text
names the tier in bold (**Understand**, **Build**, **Explore**)."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TIERS = {"exercise-understand": "Understand", "exercise-build": "Build", "exercise-explore": "Explore"}


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _tagged(cells, tag, kind=None):
    return [c for c in cells if tag in c.get("metadata", {}).get("tags", []) and (kind is None or
                                                                                c["cell_type"] == kind)]


def _required_figures(path) -> int:
    return 1 if path.name.startswith("00_") else 2


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_conceptual_figures(path):
    cells = _cells(path)
    figs = _tagged(cells, "concept-figure", "code")
    need = _required_figures(path)
    assert len(figs) >= need, f"{path.name}: {len(figs)} cells tagged 'concept-figure', needs at least {need}"
    for c in figs:
        src = "".join(c["source"])
        assert "diagrams" in src or ".svg" in src, \
            f"{path.name}: a 'concept-figure' cell must draw with bigmodel_lib.diagrams or show an SVG:\n{src[:200]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_exercises_in_three_tiers(path):
    cells = _cells(path)
    for tag, word in TIERS.items():
        found = _tagged(cells, tag, "markdown")
        assert found, f"{path.name}: no exercise of tier {word} (a markdown cell tagged '{tag}')"
        for c in found:
            assert f"**{word}**" in "".join(c["source"]), \
                f"{path.name}: the cell tagged '{tag}' must name its tier as **{word}**"


@pytest.mark.parametrize("path", [p for p in CHAPTERS if not p.name.startswith("00_")], ids=lambda p: p.name)
def test_predict_then_run(path):
    cells = _cells(path)
    found = _tagged(cells, "predict", "markdown")
    assert found, f"{path.name}: no predict-then-run moment (a markdown cell tagged 'predict')"
    for c in found:
        i = cells.index(c)
        later_code = [d for d in cells[i + 1:] if d["cell_type"] == "code"]
        assert later_code, f"{path.name}: a 'predict' cell must come before the measurement it asks about"


def test_tier_markers_are_checked_by_this_test():
    """The tag names this test reads are the ones the chapters use (guards against a silent rename)."""
    used = set()
    for p in CHAPTERS:
        for c in _cells(p):
            used |= set(c.get("metadata", {}).get("tags", []))
    assert "concept-figure" in used and all(t in used for t in TIERS), sorted(used)
    assert re.fullmatch(r"exercise-\w+", "exercise-build")
