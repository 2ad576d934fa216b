"""Committed notebooks are stripped of outputs, have a `parameters` cell, and a bilingual title."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
CHAPTERS = [p for p in NOTEBOOKS if p.parent.name == "notebooks"]


def test_there_are_chapters():
    assert CHAPTERS, "no chapter notebooks found under notebooks/"
    for p in CHAPTERS:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", p.name), f"{p.name}: chapters are named NN_name.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_outputs_stripped_and_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    dirty = [i for i, c in enumerate(code) if c.get("outputs") or c.get("execution_count")]
    assert not dirty, f"{path.name}: code cells {dirty} keep outputs; strip them before committing"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one code cell tagged 'parameters'"
    src = "".join(tagged[0]["source"])
    for name in ("profile", "device", "seed", "lang"):
        assert re.search(rf"^{name}\s*=", src, re.M), f"{path.name}: parameters cell must set {name}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_title_is_bilingual(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith("# "), f"{path.name}: the first cell must be a markdown title"
    title = first.splitlines()[0]
    assert re.search(r"[\u4e00-\u9fff]", title), f"{path.name}: the title must carry the article's Chinese heading"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_has_a_tested_solutions_notebook(path):
    sol = ROOT / "notebooks" / "solutions" / f"{path.stem}_solutions.ipynb"
    assert sol.exists(), f"{path.name}: exercises need solutions in notebooks/solutions/{sol.name}"
