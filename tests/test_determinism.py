"""A chapter run twice with the same seed prints the same numbers on CPU (timings aside)."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "notebooks" / "06_interpretability.ipynb"   # trains two models, explains, scores: all seeded
TIMING = re.compile(r"\d\s*(s|ms|µs|CPU-s)\b|GFLOP/s|tokens/s|CPU time", re.I)


def _printed_numbers(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                lines += [ln for ln in "".join(out["text"]).splitlines() if not TIMING.search(ln)]
    return lines


@pytest.mark.timeout(600)
def test_same_seed_same_chapter_output(tmp_path):
    papermill = pytest.importorskip("papermill")
    runs = []
    for i in range(2):
        out = tmp_path / f"run{i}.ipynb"
        papermill.execute_notebook(str(CHAPTER), str(out), parameters={"seed": 3, "device": "cpu"},
                                   kernel_name="python3", cwd=str(CHAPTER.parent), progress_bar=False)
        runs.append(_printed_numbers(out))
    assert len(runs[0]) > 20, "the chapter should print its results"
    assert runs[0] == runs[1]
