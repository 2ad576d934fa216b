"""Every file a notebook cites is in the repository (chapters and solutions).

- Markdown links with relative targets resolve from the notebook's folder to an existing file; a link to
  data/references.md#key needs a `### key` heading there.
- Path-like mentions (`facts.md`, `data/x.csv`, `notebooks/...`) in markdown and code name a file of the
  repository: resolved from the notebook's folder or the repository root, or, for a bare file name, the
  name of some file in the repository. Generic file names of a Hugging Face checkpoint folder (which the
  learner downloads, not the course) and files a command is told to write (`--out run.json`,
  `workdir / "x.json"`) are not citations.
"""
from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
REFERENCES = ROOT / "data" / "references.md"
HF_CHECKPOINT_NAMES = {"config.json", "model.safetensors", "tokenizer.json", "vocab.json", "merges.txt",
                       "pytorch_model.bin", "generation_config.json", "tokenizer_config.json",
                       "special_tokens_map.json", "model.safetensors.index.json"}
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
EXTENSIONS = "md|csv|ipynb|py|json|txt|toml|yaml|yml|bib|safetensors|bin|pt|html|png|svg|pdf"
PATH_LIKE = re.compile(rf"(?<![\w/.:~$-])((?:\.{{1,2}}/)*(?:[\w.-]+/)*[\w-][\w.-]*\.(?:{EXTENSIONS}))(?![\w/-])")
OUTPUT_BEFORE = re.compile(r"(?:--out|--output|--json|-o)[ =]+[\"']?$|[\w)\]]\s*/\s*[\"']$")
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\bwww\.\S+")


@functools.lru_cache(maxsize=1)
def _repo_files() -> frozenset[str]:
    """Names of the files in the working tree (virtual environments and build output left out)."""
    skip = {".git", ".venv", "venv", "build", "__pycache__", ".ipynb_checkpoints", "node_modules"}
    names = set()
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in skip and not d.endswith(".egg-info")]
        names.update(files)
    return frozenset(names)


def reference_keys(path: Path = REFERENCES) -> set[str]:
    return {line[4:].strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("### ")}


def _exists(target: str, folder: Path) -> Path | None:
    for base in (folder, ROOT):
        p = (base / target).resolve()
        if p.exists() and p.is_relative_to(ROOT):
            return p
    return None


def problems_in(cells: list[dict], nb_path: Path, names: set[str], keys: set[str]) -> list[str]:
    """What a notebook's cells cite that the repository does not have, one line per problem."""
    folder, found = nb_path.parent, []
    for i, cell in enumerate(cells):
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        where = f"{nb_path.name} cell {i} ({cell['cell_type']})"
        if cell["cell_type"] == "markdown":
            for m in LINK.finditer(src):
                target = m.group(1)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")):
                    continue                          # a web address, an anchor in the page, an absolute path
                file, _, anchor = target.partition("#")
                resolved = (folder / file).resolve()
                if not resolved.exists() or not resolved.is_relative_to(ROOT):
                    found.append(f"{where}: link to {target!r}, which is not in the repository")
                elif anchor and resolved == REFERENCES.resolve() and anchor not in keys:
                    found.append(f"{where}: link to {target!r}, but data/references.md has no '### {anchor}'")
        text = URL.sub(" ", src)
        for m in PATH_LIKE.finditer(text):
            mention = m.group(1)
            name = mention.rsplit("/", 1)[-1]
            if name in HF_CHECKPOINT_NAMES or OUTPUT_BEFORE.search(text[max(0, m.start() - 30):m.start()]):
                continue
            if cell["cell_type"] == "code" and "/" not in mention and not mention.endswith((".md", ".csv")):
                continue                              # a bare file name in code is something the code writes
            if _exists(mention, folder) or ("/" not in mention and name in names):
                continue
            found.append(f"{where}: mentions {mention!r}, which is not in the repository")
    return found


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.relative_to(ROOT / "notebooks").as_posix() for p in NOTEBOOKS])
def test_notebook_cites_only_files_in_the_repository(nb):
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    found = problems_in(cells, nb, _repo_files(), reference_keys())
    assert not found, "\n".join(found)


def test_the_check_catches_missing_files_and_keys():
    """It can fail: an old citation of facts.md, a link to a missing key, a solutions notebook linking as if
    it were a chapter; and it lets through what is really there."""
    keys = reference_keys()
    key = sorted(keys)[0]

    def md(text):
        return {"cell_type": "markdown", "source": text}
    chapter, solution = ROOT / "notebooks" / "99_x.ipynb", ROOT / "notebooks" / "solutions" / "99_x_solutions.ipynb"
    names = _repo_files()
    bad = problems_in([md("See facts.md §D."), md("([source](reference/facts.md))"),
                       md("[src](../data/references.md#no-such-key-here)"), md("Open `data/nothing.csv`."),
                       {"cell_type": "code", "source": "# numbers from facts.md\nx = 1"}], chapter, names, keys)
    assert {line.split(" cell ")[1].split()[0] for line in bad} == {"0", "1", "2", "3", "4"}, bad
    assert problems_in([md(f"[src](../data/references.md#{key})")], solution, names, keys), \
        "from notebooks/solutions/ the link needs ../../"
    good = [md(f"[src](../data/references.md#{key}) and `data/models.csv`, [repo](https://example.com/x.md)"),
            md("A checkpoint folder holds `config.json` and `model.safetensors`."),
            {"cell_type": "code", "source": 'main(["--out", "run.json"]); p = workdir / "unused.json"'}]
    assert not problems_in(good, chapter, names, keys)
    assert not problems_in([md(f"[src](../../data/references.md#{key})")], solution, names, keys)
