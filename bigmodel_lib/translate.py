"""`bigmodel translate`: the Chinese edition, built from the English notebooks and gettext catalogues.

The English notebooks are the source. Each chapter's Chinese text lives in `i18n/zh/NN_name.po`, one entry per
markdown cell of the chapter and of its solutions, keyed by the cell's English text, so translators can use
ordinary PO tools. `extract` brings new and changed English text into the catalogues (a changed cell keeps its
old translation marked fuzzy, with the old English beside it); `build` writes `notebooks/zh/` from the English
notebooks and the catalogues, with code cells copied unchanged and `lang = "zh"` in the parameters cell;
`check` lists every way the committed Chinese edition is out of step. The library's own messages (verdicts,
figure labels, errors) have catalogues of their own under `bigmodel_lib/locale/zh/`, which `extract` fills from
the `tr(...)` and `label(...)` calls in its source.
"""
from __future__ import annotations

import argparse
import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .i18n import LOCALE_DIR, glossary

ROOT = Path(__file__).resolve().parents[1]
LANG = "zh"
LANG_LINE = 'lang = "zh"'
HEADER = {"Project-Id-Version": "Big Models, Hands-On", "Language": "zh_CN", "MIME-Version": "1.0",
          "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
_LINK = re.compile(r"(\]\()([^)\s]+)(\))|((?:src|href)=\")([^\"]+)(\")")


@dataclass(frozen=True)
class Chapter:
    """One chapter: its English notebook, its solutions (if any), its catalogue and its Chinese outputs."""
    stem: str
    english: Path
    solutions: Path | None
    catalogue: Path
    zh: Path
    zh_solutions: Path | None

    def __post_init__(self):
        if not isinstance(self.stem, str) or not re.fullmatch(r"\d\d_\w+", self.stem):
            raise ValueError(f"stem must be a chapter's name such as '03_attention', got {self.stem!r}")
        for name in ("english", "catalogue", "zh"):
            if not isinstance(getattr(self, name), Path):
                raise TypeError(f"{name} must be a pathlib.Path, got {type(getattr(self, name)).__name__}")

    def pairs(self) -> list[tuple[Path, Path]]:
        """(English notebook, Chinese notebook) for the chapter and its solutions."""
        out = [(self.english, self.zh)]
        if self.solutions is not None and self.zh_solutions is not None:
            out.append((self.solutions, self.zh_solutions))
        return out


def chapters(root: Path = ROOT, only: list[str] | None = None) -> list[Chapter]:
    """Every chapter of the English course under `root`/notebooks, in order (or those whose number is in
    `only`, e.g. ["03", "07"])."""
    if only is not None and (not isinstance(only, (list, tuple))
                             or not all(isinstance(n, str) and re.fullmatch(r"\d\d", n) for n in only)):
        raise ValueError(f"only must be a list of chapter numbers such as ['03', '07'], got {only!r}")
    root = Path(root)
    nbdir = root / "notebooks"
    if not nbdir.is_dir():
        raise FileNotFoundError(f"root must hold a notebooks/ folder, got {root}")
    found = []
    for nb in sorted(nbdir.glob("[0-9][0-9]_*.ipynb")):
        if only is not None and nb.name[:2] not in only:
            continue
        sol = nbdir / "solutions" / f"{nb.stem}_solutions.ipynb"
        has = sol.is_file()
        found.append(Chapter(nb.stem, nb, sol if has else None, root / "i18n" / LANG / f"{nb.stem}.po",
                             nbdir / LANG / nb.name, nbdir / LANG / "solutions" / sol.name if has else None))
    return found


def _rel(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()


def _markdown_cells(nb_path: Path) -> list[tuple[str, str]]:
    """(cell id, source) of every markdown cell that has text."""
    nb = nbformat.read(nb_path, as_version=4)
    return [(c.get("id", str(i)), c.source) for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown" and c.source.strip()]


def _new_catalogue():
    import polib

    po = polib.POFile(wrapwidth=0)
    po.metadata = dict(HEADER)
    return po


def extract_chapter(ch: Chapter, root: Path = ROOT) -> dict[str, int]:
    """Bring the English text of one chapter into its catalogue. New cells become untranslated entries; a cell
    whose English changed gets a new entry that carries the old translation, marked fuzzy, with the old English
    as its previous msgid; entries no cell uses any more become obsolete. Returns counts of what changed."""
    import polib

    if not isinstance(ch, Chapter):
        raise TypeError(f"ch must be a Chapter from translate.chapters(), got {type(ch).__name__}")
    po = polib.pofile(str(ch.catalogue), wrapwidth=0) if ch.catalogue.is_file() else _new_catalogue()
    by_id = {e.msgid: e for e in po if not e.obsolete}
    by_place: dict[tuple[str, str], object] = {}
    for e in po:
        if not e.obsolete:
            for occ in e.occurrences:
                by_place[_place(occ)] = e
    counts = {"new": 0, "fuzzy": 0, "obsolete": 0}
    used: dict[str, list[tuple[str, str]]] = {}
    order: list[str] = []
    for nb_path, _ in ch.pairs():
        rel = _rel(nb_path, root)
        for cell_id, text in _markdown_cells(nb_path):
            if text not in used:
                used[text] = []
                order.append(text)
            used[text].append((rel, cell_id))
    fresh = _new_catalogue()
    fresh.metadata = po.metadata or dict(HEADER)
    for text in order:
        places = used[text]
        entry = by_id.get(text)
        if entry is None:
            old = next((by_place[p] for p in places if p in by_place and by_place[p].msgstr), None)
            entry = polib.POEntry(msgid=text, msgstr="")
            if old is not None:        # the English of this cell changed: keep the translation as a draft
                entry.msgstr = old.msgstr
                entry.flags.append("fuzzy")
                entry.previous_msgid = old.msgid
                counts["fuzzy"] += 1
            else:
                counts["new"] += 1
        entry.occurrences = places
        fresh.append(entry)
    for e in po:
        if e.msgid not in used and e.msgstr and not e.obsolete:
            e.obsolete = True
            e.occurrences = []
            counts["obsolete"] += 1
        if e.msgid not in used and e.obsolete and e.msgstr:
            fresh.append(e)
    ch.catalogue.parent.mkdir(parents=True, exist_ok=True)
    fresh.save(str(ch.catalogue))
    return counts


def _place(occurrence: tuple[str, str]) -> tuple[str, str]:
    """(notebook, cell id) of a `#: notebook:cellid` reference: polib reads a line "number" that is not a number
    as part of the file name."""
    path, line = occurrence
    return tuple(path.rsplit(":", 1)) if not line and ":" in path else (path, line)


def _relink(text: str) -> str:
    """Relative links of an English notebook, seen from the Chinese one a folder deeper: files other than
    notebooks get one more `../` (a link to another chapter stays, and finds the Chinese chapter)."""
    def fix(m: re.Match) -> str:
        pre, target, post = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5),
                                                                                      m.group(6))
        plain = target.split("#")[0]
        if (not plain or re.match(r"^[a-z][a-z0-9+.-]*:", plain) or plain.startswith("/")
                or plain.endswith(".ipynb")):
            return m.group(0)
        return f"{pre}../{target}{post}"
    return _LINK.sub(fix, text)


def _with_lang(source: str) -> str:
    """The parameters cell with its `lang = "en"` line (added at the end if missing) set to Chinese."""
    lines = source.splitlines()
    new = LANG_LINE + "          # 中文版：库的输出（练习判定、图中文字、错误信息）也用中文"
    at = [i for i, ln in enumerate(lines) if re.match(r"^\s*lang\s*=", ln)]
    if at:
        lines[at[0]] = new
    else:
        lines.append(new)
    return "\n".join(lines) + ("\n" if source.endswith("\n") else "")


def build_notebook(english: Path, catalogue, missing: list[str] | None = None) -> nbformat.NotebookNode:
    """The Chinese notebook of `english`: markdown from the catalogue, code cells as they are, `lang = "zh"`
    added to the parameters cell. Markdown without a current translation stays English and is reported in
    `missing` (when given)."""
    import polib

    if not Path(english).is_file():
        raise FileNotFoundError(f"english must be an English notebook; no file {english}")
    if not isinstance(catalogue, polib.POFile):
        raise TypeError(f"catalogue must be a polib.POFile (polib.pofile(path)), got {type(catalogue).__name__}")
    nb = nbformat.read(english, as_version=4)
    table = {e.msgid: e for e in catalogue if not e.obsolete}
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            e = table.get(cell.source)
            if e is None or not e.msgstr or e.fuzzy:
                if missing is not None:
                    state = "fuzzy" if e is not None and e.fuzzy else "untranslated"
                    missing.append(f"{english.name} cell {cell.get('id')}: {state}: {cell.source[:60]!r}")
            else:
                cell.source = e.msgstr
            cell.source = _relink(cell.source)
        elif cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            cell.source = _with_lang(cell.source)
    nb.metadata["language_info"] = dict(nb.metadata.get("language_info", {}), name="python")
    nb.metadata["bigmodel"] = {"lang": LANG, "source": english.name}
    return nb


def _dumps(nb) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def build(root: Path = ROOT, write: bool = True, only: list[str] | None = None) -> dict:
    """Build (or, with write=False, only compare) the Chinese notebooks; returns {"missing": [...],
    "stale": [...], "written": [...]}."""
    import polib

    report: dict[str, list[str]] = {"missing": [], "stale": [], "written": []}
    for ch in chapters(root, only):
        po = polib.pofile(str(ch.catalogue), wrapwidth=0) if ch.catalogue.is_file() else _new_catalogue()
        for english, zh in ch.pairs():
            text = _dumps(build_notebook(english, po, report["missing"]))
            old = zh.read_text(encoding="utf-8") if zh.is_file() else None
            if old != text:
                report["stale"].append(_rel(zh, root) if zh.exists() else zh.as_posix())
                if write:
                    zh.parent.mkdir(parents=True, exist_ok=True)
                    zh.write_text(text, encoding="utf-8")
                    report["written"].append(_rel(zh, root))
    return report


def check(root: Path = ROOT, only: list[str] | None = None) -> list[str]:
    """Every way the committed Chinese edition is out of step with the English one: a markdown cell without a
    current translation, a translation whose {placeholders} or formulas differ from its English, a committed
    Chinese notebook that differs from a fresh build, a code cell that differs from the English. Empty: in step."""
    import polib

    problems = []
    rep = build(root, write=False, only=only)
    problems += [f"no current translation: {m}" for m in rep["missing"]]
    problems += [f"differs from a fresh build (run `bigmodel translate build`): {s}" for s in rep["stale"]]
    problems += glossary_problems(root, only)
    for ch in chapters(root, only):
        if ch.catalogue.is_file():
            for e in polib.pofile(str(ch.catalogue), wrapwidth=0):
                if e.msgstr and not e.obsolete and _math(e.msgid) != _math(e.msgstr):
                    problems.append(f"{ch.catalogue.name}: the formulas of the translation differ from the English "
                                    f"in {e.msgid[:60]!r}")
        for english, zh in ch.pairs():
            if not zh.is_file():
                continue
            en_cells = nbformat.read(english, as_version=4).cells
            zh_cells = nbformat.read(zh, as_version=4).cells
            if [c.cell_type for c in en_cells] != [c.cell_type for c in zh_cells]:
                problems.append(f"{_rel(zh, root)}: its cells are not the English notebook's cells")
                continue
            for a, b in zip(en_cells, zh_cells):
                if a.cell_type == "code" and "parameters" not in a.metadata.get("tags", []) and a.source != b.source:
                    problems.append(f"{_rel(zh, root)} cell {a.get('id')}: code differs from the English")
    return problems


def glossary_problems(root: Path = ROOT, only: list[str] | None = None) -> list[str]:
    """Translations that leave out the glossary's Chinese term where their English uses a term marked for
    checking: the glossary is only worth having if every chapter keeps to it."""
    import polib

    terms = []
    for row in glossary():
        if row.get("check") == "yes":
            words = re.escape(row["english"]).replace(r"\ ", r"[\s-]")
            pattern = re.compile(r"(?<![\w-])" + words + r"(?:s|es)?(?![\w-])", re.IGNORECASE)
            terms.append((row["english"], pattern, row["chinese"].split("（")[0]))
    problems = []
    for ch in chapters(root, only):
        if not ch.catalogue.is_file():
            continue
        for e in polib.pofile(str(ch.catalogue), wrapwidth=0):
            if not e.msgstr or e.obsolete:
                continue
            english = re.sub(r"`[^`]*`|\$[^$]*\$|\]\([^)]*\)", "", e.msgid)    # code, formulas, link targets
            for term, pattern, zh in terms:
                if pattern.search(english) and zh not in e.msgstr:
                    problems.append(f"{ch.catalogue.name}: {term!r} is {zh!r} in the glossary, missing from the "
                                    f"translation of {e.msgid[:50]!r}")
    return problems


def _math(text: str) -> list[str]:
    """The LaTeX of a markdown text ($...$ and $$...$$), which a translation keeps as it is."""
    return sorted(re.findall(r"\$\$.+?\$\$|\$[^$]+\$", text, flags=re.S))   # inline math may wrap a line


# ---- the library's own catalogues -----------------------------------------------------------------------------

def library_messages(package: Path | None = None) -> dict[str, list[tuple[str, str]]]:
    """English messages in the library's source, by catalogue name: the first argument of every `tr(...)`
    call, the default (last) argument of every `label(...)`/`L(...)` call that is a string literal, and the
    names of the exercises ("03.1 ...").
    Exercise and figure modules of chapter NN go to `chNN`, everything else to `core`."""
    package = Path(package) if package is not None else Path(__file__).resolve().parent
    if not package.is_dir():
        raise FileNotFoundError(f"package must be the library's folder, got {package}")
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        m = re.match(r"(exercises|diagrams)/(ch\d\d)\.py$", rel)
        group = m.group(2) if m else "core"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, (ast.Name, ast.Attribute)):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            arg = None
            if name == "tr" and node.args:
                arg = node.args[0]
            elif name in ("label", "L") and node.args:
                arg = node.args[-1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                found.setdefault(group, []).append((arg.value, f"bigmodel_lib/{rel}:{node.lineno}"))
        if m and m.group(1) == "exercises":        # exercise names ("03.1 ..."), shown translated by Result
            for node in ast.walk(tree):
                if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                        and re.fullmatch(r"\d\d\.\d+ \S.*", node.value)):
                    found.setdefault(group, []).append((node.value, f"bigmodel_lib/{rel}:{node.lineno}"))
    return found


def extract_library(package: Path | None = None, locale: Path = LOCALE_DIR,
                    groups: list[str] | None = None) -> dict[str, int]:
    """Add the library's new English messages to `locale/zh/<group>.po`; existing entries (and ones a translator
    added by hand, for labels built at run time) are kept. Returns new entries per catalogue."""
    import polib

    if groups is not None and (not isinstance(groups, (list, tuple)) or not all(isinstance(g, str) for g in groups)):
        raise TypeError(f"groups must be a list of catalogue names such as ['ch03', 'core'], got {groups!r}")
    counts = {}
    for group, msgs in library_messages(package).items():
        if groups is not None and group not in groups:
            continue
        path = Path(locale) / LANG / f"{group}.po"
        po = polib.pofile(str(path), wrapwidth=0) if path.is_file() else _new_catalogue()
        have = {e.msgid: e for e in po}
        places: dict[str, list[tuple[str, str]]] = {}
        n = 0
        for text, where in msgs:
            if text not in have:
                have[text] = polib.POEntry(msgid=text, msgstr="")
                po.append(have[text])
                n += 1
            src, line = where.rsplit(":", 1)
            if (src, line) not in places.setdefault(text, []):
                places[text].append((src, line))
        for text, found in places.items():          # where the source uses it today (entries added by hand keep
            have[text].occurrences = found          # theirs)
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
        counts[group] = n
    return counts


def _fields(template: str) -> set[tuple[str, str, str]] | str:
    """The {name:spec!conversion} fields of a template: a translation keeps each one as it is (a changed spec
    could fail to format its value); a template that does not parse is returned as an error text."""
    import string

    try:
        return {(n, spec or "", conv or "") for _, n, spec, conv in string.Formatter().parse(template) if n is not None}
    except ValueError as err:
        return f"does not parse: {err}"


def check_library(locale: Path = LOCALE_DIR, groups: list[str] | None = None) -> list[str]:
    """Library messages without a current translation, and translations whose {placeholders} differ."""
    import polib

    if groups is not None and (not isinstance(groups, (list, tuple)) or not all(isinstance(g, str) for g in groups)):
        raise TypeError(f"groups must be a list of catalogue names such as ['ch03', 'core'], got {groups!r}")
    problems = []
    seen = {text for group, msgs in library_messages().items() if groups is None or group in groups
            for text, _ in msgs}
    table = {}
    for path in sorted((Path(locale) / LANG).glob("*.po")):
        for e in polib.pofile(str(path), wrapwidth=0):
            if e.obsolete:
                continue
            table[e.msgid] = e
            if e.msgstr and _fields(e.msgid) != _fields(e.msgstr):
                problems.append(f"{path.name}: placeholders differ: {e.msgid[:60]!r} -> {e.msgstr[:60]!r}")
    for text in sorted(seen):
        e = table.get(text)
        if e is None or not e.msgstr or e.fuzzy:
            problems.append(f"library message without a current translation: {text[:80]!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """`bigmodel translate extract|build|check`: 0 when done (check: when in step), 1 when check finds problems."""
    p = argparse.ArgumentParser(prog="bigmodel translate", description="The Chinese edition: extract English "
                                "text into i18n/zh/*.po, build notebooks/zh/ from them, or check they are in step.")
    p.add_argument("action", choices=("extract", "build", "check"))
    p.add_argument("--root", type=Path, default=ROOT, help="the course's folder (default: this repository)")
    p.add_argument("--chapters", nargs="+", metavar="NN", help="only these chapters (and their library "
                   "catalogues chNN.po), e.g. 03 07 (default: all, and core.po)")
    args = p.parse_args(argv)
    only = args.chapters
    groups = None if only is None else [f"ch{n}" for n in only]
    if args.action == "extract":
        total = {"new": 0, "fuzzy": 0, "obsolete": 0}
        for ch in chapters(args.root, only):
            for k, v in extract_chapter(ch, args.root).items():
                total[k] += v
        lib = extract_library(groups=groups) if args.root == ROOT else {}
        print(f"notebook catalogues: {json.dumps(total)}; library catalogues, new entries: {json.dumps(lib)}")
        return 0
    if args.action == "build":
        rep = build(args.root, only=only)
        print(f"wrote {len(rep['written'])} notebooks; {len(rep['missing'])} markdown cells without a current "
              f"translation (left in English)")
        for m in rep["missing"][:20]:
            print("  " + m)
        return 0
    problems = check(args.root, only) + (check_library(groups=groups) if args.root == ROOT else [])
    for prob in problems:
        print(prob)
    print(f"{len(problems)} problems" if problems else "the Chinese edition is in step with the English one")
    return 1 if problems else 0
