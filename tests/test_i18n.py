"""The Chinese edition cannot drift from the English one: the committed notebooks/zh/ is exactly what the
catalogues build, every markdown cell and library message has a current translation, code is the English code,
and the glossary is kept. Library messages switch language with `lang`; figures use Chinese only where a CJK
font can draw it."""
from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import polib
import pytest

from bigmodel_lib import diagrams, i18n, translate
from bigmodel_lib.exercises import ch00

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
FIGURE_CALLS = sorted((ROOT / "tests" / "figure_calls").glob("ch[0-9][0-9].py"))


@pytest.fixture(autouse=True)
def english_afterwards():
    """Every test leaves the process in English, as the rest of the suite expects."""
    yield
    i18n.set_language("en")
    diagrams.RECORDED = None
    plt.close("all")


# ---- sync ------------------------------------------------------------------------------------------------------

def test_the_committed_chinese_edition_is_in_step_with_the_english():
    problems = translate.check()
    assert not problems, f"{len(problems)} problems, e.g.:\n" + "\n".join(problems[:15])


def test_every_library_message_has_a_current_translation():
    problems = translate.check_library()
    assert not problems, f"{len(problems)} problems, e.g.:\n" + "\n".join(problems[:15])


def test_all_chapters_and_solutions_exist_in_chinese():
    chapters = translate.chapters()
    assert len(chapters) == 14
    for ch in chapters:
        for _, zh in ch.pairs():
            assert zh.is_file(), f"missing {zh.relative_to(ROOT)}: run `bigmodel translate build`"
            cells = nbformat.read(zh, as_version=4).cells
            params = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
            assert len(params) == 1 and re.search(r'^lang = "zh"', params[0].source, re.M), zh.name
            assert CJK.search(cells[0].source), f"{zh.name}: the title is not in Chinese"


def copy_chapter(tmp: Path, stem: str) -> Path:
    """A course folder with one chapter, its solutions, its catalogue and its Chinese build."""
    for rel in (f"notebooks/{stem}.ipynb", f"notebooks/solutions/{stem}_solutions.ipynb", f"i18n/zh/{stem}.po",
                f"notebooks/zh/{stem}.ipynb", f"notebooks/zh/solutions/{stem}_solutions.ipynb"):
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp / rel)
    return tmp


def test_changing_one_english_sentence_fails_the_check_until_its_translation_is_updated(tmp_path):
    root = copy_chapter(tmp_path, "00_setup")
    assert translate.check(root) == []
    src = root / "notebooks" / "00_setup.ipynb"
    nb = nbformat.read(src, as_version=4)
    cell = next(c for c in nb.cells[1:] if c.cell_type == "markdown")
    cell.source = cell.source.replace(".", ". A new sentence.", 1)
    nbformat.write(nb, src)

    problems = translate.check(root)
    assert any("no current translation" in p and "untranslated" in p for p in problems), problems
    assert any("differs from a fresh build" in p for p in problems), problems

    counts = translate.extract_chapter(translate.chapters(root)[0], root)
    assert counts["fuzzy"] == 1 and counts["obsolete"] == 1
    entry = next(e for e in polib.pofile(str(root / "i18n/zh/00_setup.po")) if e.msgid == cell.source)
    assert entry.fuzzy and entry.msgstr and entry.previous_msgid        # the old translation, as a draft
    assert any("fuzzy" in p for p in translate.check(root))             # a draft is not a translation

    entry.flags.remove("fuzzy")                                           # the translator updates it
    entry.msgstr += "（新增一句。）"
    po = polib.pofile(str(root / "i18n/zh/00_setup.po"))
    for e in po:
        if e.msgid == entry.msgid:
            e.msgstr, e.flags = entry.msgstr, []
    po.save()
    translate.build(root)
    assert translate.check(root) == []


def test_a_code_cell_edited_in_the_chinese_notebook_is_caught(tmp_path):
    root = copy_chapter(tmp_path, "00_setup")
    zh = root / "notebooks/zh/00_setup.ipynb"
    nb = nbformat.read(zh, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    code[0].source += "\nprint('only in Chinese')"
    nbformat.write(nb, zh)
    problems = translate.check(root)
    assert any("code differs from the English" in p for p in problems), problems


def test_a_translation_that_changes_a_formula_or_drops_a_glossary_term_is_caught(tmp_path):
    root = copy_chapter(tmp_path, "03_attention")
    po_path = root / "i18n/zh/03_attention.po"
    po = polib.pofile(str(po_path))
    with_math = next(e for e in po if "$" in e.msgid and e.msgstr)
    with_math.msgstr = with_math.msgstr.replace("$", "", 2)
    with_term = next(e for e in po if e.msgstr and e is not with_math and "$" not in e.msgid
                     and re.search(r"(?<![\w-])attention\b", re.sub(r"`[^`]*`", "", e.msgid)))
    with_term.msgstr = with_term.msgstr.replace("注意力", "关注")
    po.save()
    problems = translate.check(root)
    assert any("formulas" in p for p in problems), problems
    assert any("attention' is '" in p and "注意力' in the glossary" in p for p in problems), problems


def test_relative_links_reach_the_same_files_from_the_chinese_folder():
    assert translate._relink("[refs](../data/references.md#vaswani)") == "[refs](../../data/references.md#vaswani)"
    assert translate._relink("[next](04_encoder_decoder.ipynb)") == "[next](04_encoder_decoder.ipynb)"
    assert translate._relink("[web](https://example.org/a)") == "[web](https://example.org/a)"
    assert translate._relink('<img src="figures/a.svg">') == '<img src="../figures/a.svg">'


# ---- the library speaks the learner's language -------------------------------------------------------------------

def test_tr_translates_fills_in_and_falls_back_to_english():
    i18n.set_language("zh")
    text = i18n.tr("seed must be >= 0, got {got}", got=-1)
    assert CJK.search(text) and "-1" in text
    assert i18n.tr("a sentence nobody translated") == "a sentence nobody translated"
    assert i18n.tr("seed must be >= 0, got {got}", lang="en", got=-1) == "seed must be >= 0, got -1"
    with pytest.raises(ValueError, match=r"lang must be one of \('en', 'zh'\), got 'fr'"):
        i18n.set_language("fr")


def test_bad_parameters_are_named_in_chinese_under_lang_zh():
    from bigmodel_lib.device import setup
    with pytest.raises(ValueError, match="profile 必须是"):
        setup("fast", lang="zh")
    with pytest.raises(ValueError, match="device 必须是"):
        setup(device="gpu", lang="zh")
    with pytest.raises(ValueError, match="profile must be one of"):
        setup("fast", lang="en")


def test_exercise_verdicts_and_hints_are_chinese_under_lang_zh():
    i18n.set_language("zh")
    blank = ch00.exercise_1(None)
    assert blank.status == "not attempted" and CJK.search(blank.message), blank.message
    wrong = ch00.exercise_1(lambda b, di, dh, do: b * di * dh)         # counts one product, multiplies only
    assert wrong.status == "failed" and CJK.search(wrong.message), wrong.message
    right = ch00.exercise_1(lambda b, di, dh, do: 2 * b * (di * dh + dh * do))
    assert right.passed and CJK.search(right.message), right.message
    i18n.set_language("en")
    assert not CJK.search(ch00.exercise_1(None).message)


EXERCISE_MODULES = sorted((ROOT / "bigmodel_lib" / "exercises").glob("ch[0-9][0-9].py"))


@pytest.mark.parametrize("path", EXERCISE_MODULES, ids=lambda p: p.stem)
def test_every_verdict_a_checker_writes_goes_through_tr(path):
    """A message typed as an f-string or a plain string literal would stay English in the Chinese edition."""
    bad = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("Result", "verdict"):
            args = node.args[2:4] + [k.value for k in node.keywords if k.arg in ("message", "good", "bad")]
            for arg in args:
                if isinstance(arg, ast.JoinedStr) or (isinstance(arg, ast.Constant) and arg.value):
                    bad.append(f"line {arg.lineno}: {ast.unparse(arg)[:70]}")
    assert not bad, f"{path.name}: wrap these in tr(...):\n" + "\n".join(bad)


# ---- figures: Chinese with a CJK font, English without (never boxes) ------------------------------------------

def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]


def draw_and_collect_missing_glyphs(make):
    """The figure `make()` returns, drawn, and matplotlib's "Glyph ... missing from font" warnings from making
    and drawing it (a figure lays itself out while being made: the warnings come then)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = make()
        fig.canvas.draw()
    return fig, [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_figures_fall_back_to_english_labels_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(i18n, "cjk_font", lambda: None)
    i18n.set_language("zh")
    from bigmodel_lib.diagrams import ch00 as fig00
    fig, missing = draw_and_collect_missing_glyphs(fig00.what_runs_where)
    assert not any(CJK.search(t) for t in texts(fig)), "Chinese labels without a font to draw them"
    assert missing == []


def test_figures_draw_chinese_labels_with_a_cjk_font():
    if i18n.cjk_font() is None:
        if __import__("os").environ.get("CI"):
            pytest.fail("CI installs fonts-noto-cjk (.ci/run); matplotlib found no CJK font")
        pytest.skip("this machine has no CJK font (install fonts-noto-cjk)")
    i18n.set_language("zh")
    from bigmodel_lib.diagrams import ch00 as fig00
    fig, missing = draw_and_collect_missing_glyphs(fig00.what_runs_where)
    assert any(CJK.search(t) for t in texts(fig)), texts(fig)
    assert missing == [], f"{len(missing)} glyphs drawn as boxes, e.g. {missing[:2]}"


@pytest.mark.parametrize("path", FIGURE_CALLS, ids=lambda p: p.stem)
def test_every_label_a_figure_looks_up_has_a_translation(path, monkeypatch):
    spec = importlib.util.spec_from_file_location(f"figure_calls_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    font = i18n.cjk_font() or "any"                            # translate even on a machine without the font
    monkeypatch.setattr(i18n, "cjk_font", lambda: font)
    i18n.set_language("zh")
    diagrams.RECORDED = set()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for call in module.CALLS:
            call().canvas.draw()
            plt.close("all")
    boxes = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert font == "any" or not boxes, f"{path.stem}: glyphs drawn as boxes with {font}: {boxes[:3]}"
    decided = {e.msgid for po in (i18n.LOCALE_DIR / "zh").glob("*.po") for e in polib.pofile(str(po))
               if e.msgstr and not e.fuzzy and not e.obsolete}    # a name may be "translated" as itself
    missing = sorted(d for d in diagrams.RECORDED if CJK.search(d) is None and d not in decided
                     and re.search(r"[A-Za-z]{3,}", d))
    assert diagrams.RECORDED and not missing, f"{path.stem}: labels without a translation: {missing[:10]}"


# ---- running it ----------------------------------------------------------------------------------------------------

def test_bigmodel_run_lang_zh_writes_chinese_pages_and_links_both_editions(tmp_path):
    out = tmp_path / "course"
    r = subprocess.run([sys.executable, "-m", "bigmodel_lib", "run", "--lang", "zh", "--chapters", "00", "-o",
                        str(out)], capture_output=True, text=True, timeout=600, cwd=tmp_path,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    page = (out / "zh" / "00_setup.html").read_text(encoding="utf-8")
    assert "学完本章" in page and "课程首页" in page          # the translated text and the page chrome
    index = (out / "zh" / "index.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in index and 'href="../index.html"' in index and "00_setup.html" in index
    assert '<html lang="zh-CN">' in page


def test_readme_zh_gives_the_same_two_commands_and_its_links_resolve():
    en = (ROOT / "README.md").read_text(encoding="utf-8")
    zh = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    test_command = re.search(r"<!-- test-command -->\n```bash\n(.+?)\n```", en).group(1)
    assert test_command in zh, "README.zh-CN.md must give the README's test command verbatim"
    assert "pip install -r requirements.txt && bigmodel lab --lang zh" in zh
    targets = re.findall(r"\]\(([^)#\s]+\.(?:ipynb|md))\)", zh)
    assert len([t for t in targets if t.startswith("notebooks/zh/")]) == 14
    for target in targets:
        assert (ROOT / target).is_file(), f"README.zh-CN.md links to a missing file: {target}"
    assert "README.zh-CN.md" in en


ZH_SOLUTIONS = ("03", "07", "11")     # fast ones with many verdicts (conftest.py says why not all fourteen)


@pytest.mark.parametrize("number", ZH_SOLUTIONS)
def test_chinese_solutions_pass_with_chinese_verdicts(number, tmp_path):
    import papermill as pm

    (src,) = (ROOT / "notebooks" / "zh" / "solutions").glob(f"{number}_*_solutions.ipynb")
    out = tmp_path / src.name
    pm.execute_notebook(str(src), str(out), cwd=str(src.parent), kernel_name="python3", progress_bar=False)
    text = "\n".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", []))
    verdicts = [line for line in text.splitlines() if line.startswith(("✔", "✘"))]
    assert len(verdicts) >= 4, text[-2000:]
    english = [v for v in verdicts if not CJK.search(v.split(":", 1)[-1])]
    assert not english, f"verdicts left in English: {english[:3]}"
    assert verdicts[-1].startswith("✔"), verdicts[-1]
