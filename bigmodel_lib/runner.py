"""`bigmodel run`: execute chapters with papermill, export each to HTML, write an index page and a summary.

One chapter failing does not stop the others; the exit code says whether any failed, and the message
names the chapter, the cell (its index in the source notebook and its first line) and the error.
"""
from __future__ import annotations

import argparse
import ast
import html
import json
import shutil
import time
from pathlib import Path
from typing import Any

from .i18n import check_lang, get_language, set_language, tr

OUT_DEFAULT = Path("build/course")


def default_notebooks_dir(lang: str = "en") -> Path:
    """The repository's notebooks/ next to the package (editable install), else ./notebooks; for lang="zh"
    the Chinese edition in its zh/ folder."""
    check_lang(lang)
    repo = Path(__file__).resolve().parents[1] / "notebooks"
    base = repo if repo.is_dir() else Path.cwd() / "notebooks"
    return base / "zh" if lang == "zh" else base


def parse_value(text: str) -> Any:
    """A -p value as a Python literal when it is one ("1" -> 1, "True" -> True), else the string itself."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (a -p value), got {type(text).__name__}")
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def find_chapters(notebooks_dir: Path, wanted: list[str] | None = None) -> list[Path]:
    """Chapter notebooks NN_*.ipynb in notebooks_dir (solutions live elsewhere and are left out).

    `wanted` selects by number ("03") or by name ("03_attention"); an unknown one raises ValueError.
    """
    chapters = sorted(p for p in notebooks_dir.glob("[0-9][0-9]_*.ipynb")
                      if not p.stem.endswith("_solutions"))
    if not chapters:
        raise ValueError(f"no chapter notebooks (NN_name.ipynb) in {notebooks_dir}")
    if not wanted:
        return chapters
    picked = []
    for w in wanted:
        key = w.removesuffix(".ipynb")
        match = [p for p in chapters if p.stem == key or p.stem.split("_", 1)[0] == key.zfill(2)]
        if not match:
            names = ", ".join(p.stem for p in chapters)
            raise ValueError(f"--chapters: no chapter {w!r} in {notebooks_dir} (have: {names})")
        picked += [p for p in match if p not in picked]
    return picked


def describe_failure(err: Exception, src: Path, injected: bool) -> str:
    """One line naming the chapter, the failing cell (source index, first line) and the error."""
    from papermill.exceptions import PapermillExecutionError

    if not isinstance(err, BaseException):
        raise TypeError(f"err must be an exception, got {type(err).__name__}")
    if not isinstance(err, PapermillExecutionError):
        return f"{src.stem}: {type(err).__name__}: {err}"
    index = err.cell_index
    if injected:  # papermill's index counts the cell it injected right after `parameters` (or at the top)
        import nbformat

        cells = nbformat.read(src, as_version=4).cells
        params = next((i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])), -1)
        index -= index > params
    first = next((ln.strip() for ln in err.source.splitlines() if ln.strip()), "")
    evalue = err.evalue.strip().splitlines()[0] if err.evalue.strip() else ""
    return f"{src.stem}: cell {index} (In [{err.exec_count}]) `{first}` raised {err.ename}: {evalue}"


MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
STATIC = "_static"

# The course's page template: JupyterLab's, with nothing fetched from the internet. MathJax comes from a
# copy next to the pages; require.js, the widget manager and mermaid (all CDN scripts) are left out,
# and a widget shows a note instead (export_html; every widget in the course has a plain call beside it).
PAGE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}<style>.bm-nav{display:flex;justify-content:space-between;gap:1em;
font-family:sans-serif;margin:1em 2em}.bm-nav a{text-decoration:none}
.bm-widget{font-style:italic;color:#57606a;padding:.3em 0}</style>{%- endblock html_head_css -%}
{%- block body_header -%}{{ super() }}{{ resources.course_nav }}{%- endblock body_header -%}
{% block body_footer %}{{ resources.course_nav }}{{ super() }}{% endblock body_footer %}
"""
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_TEXT = ("An interactive widget is here in JupyterLab; the cell beside it shows the same thing as a "
               "plain call.")
WIDGET_NOTE = f'<div class="bm-widget">{WIDGET_TEXT}</div>'


def mathjax_source() -> Path | None:
    """MathJax 2.7 as shipped by the pip package jupyter-server-mathjax (pinned in requirements.txt)."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        return None
    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    return static if (static / "MathJax.js").is_file() else None


def install_mathjax(out: Path) -> Path | None:
    """Copy MathJax (the parts an HTML page uses: TeX input, HTML-CSS output, its fonts, English) into
    out/_static/mathjax, once; None when the package is missing (the pages then need the internet)."""
    if not isinstance(out, Path):
        raise TypeError(f"out must be a pathlib.Path (the output folder), got {type(out).__name__}")
    src = mathjax_source()
    if src is None:
        return None
    target = out / STATIC / "mathjax"
    if (target / "MathJax.js").is_file():
        return target

    def skip(folder: str, names: list[str]) -> set[str]:
        here = Path(folder).relative_to(src).as_posix()
        if here == "jax/output":
            return {n for n in names if n != "HTML-CSS"}
        if here == "localization":
            return {n for n in names if n != "en"}
        return set()

    partial = target.with_name("mathjax.partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(src, partial, ignore=skip)
    partial.rename(target)
    return target


def chapter_title_and_summary(nb) -> tuple[str, str]:
    """The chapter's title (its first heading) and a one-line summary (the first plain paragraph of the
    first markdown cell, cut at about 200 characters)."""
    if not hasattr(nb, "cells"):
        raise TypeError(f"nb must be a notebook (nbformat.read(...)), got {type(nb).__name__}")
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    paragraphs = [p.strip() for p in first.split("\n\n") if p.strip()]
    title = next((p.lstrip("#").strip() for p in paragraphs if p.startswith("#")), "")
    body = next((p for p in paragraphs if not p.startswith(("#", "*", ">", "|", "-"))), "")
    body = " ".join(body.split())
    if len(body) > 200:
        body = body[:200].rsplit(" ", 1)[0] + " …"
    return title, body


def nav_html(prev: str | None, next_: str | None, home: str = "index.html") -> str:
    """Previous / course home / next links (chapter stems; None leaves a side empty)."""
    for name, value in (("prev", prev), ("next_", next_), ("home", home)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a chapter name (str) or None, got {type(value).__name__}")
    left = f'<a href="{html.escape(prev)}.html">← {html.escape(prev)}</a>' if prev else "<span></span>"
    right = f'<a href="{html.escape(next_)}.html">{html.escape(next_)} →</a>' if next_ else "<span></span>"
    home_text = html.escape(tr("course home"))
    return f'<nav class="bm-nav">{left}<a href="{html.escape(home)}">{home_text}</a>{right}</nav>'


SAFE_TAGS = ("a", "abbr", "b", "blockquote", "br", "code", "del", "details", "div", "em", "h1", "h2", "h3",
             "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub",
             "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul")


def _clean_html(element) -> str:
    """Keep the formatting a notebook's markdown and tables use; drop scripts, event handlers, styles and
    `javascript:` links (for pages of code someone else wrote). nbconvert's own sanitizer escapes
    headings and paragraphs, which left learners' pages showing raw HTML."""
    import bleach

    text = element.decode() if isinstance(element, bytes) else str(element)
    return bleach.clean(text, tags=SAFE_TAGS, strip=True, protocols=["http", "https", "mailto", "data"],
                        attributes={"*": ["class", "id", "title"], "a": ["href", "title"],
                                    "img": ["src", "alt", "width", "height"], "td": ["colspan", "rowspan"],
                                    "th": ["colspan", "rowspan"]})


def export_html(executed: Path, nav: str = "", static: str | None = STATIC, sanitize: bool = False) -> Path:
    """Write executed.html beside the executed notebook with the course's offline template.

    `static` is the path, relative to the page, of the folder holding mathjax/ (None: the CDN, as
    nbconvert does by default); `nav` is inserted at the top and bottom; `sanitize` strips scripts
    from outputs (for pages of code someone else wrote)."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", extra_loaders=[jinja2.DictLoader({"course.html.j2":
                                                                                  PAGE_TEMPLATE})],
                            template_file="course.html.j2", sanitize_html=sanitize,
                            filters={"clean_html": _clean_html})
    if static is not None:
        exporter.mathjax_url = f"{static}/mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    nb = nbformat.read(executed, as_version=4)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:          # a widget needs a live kernel: say so instead of printing its repr
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output["data"] = {"text/html": f'<div class="bm-widget">{html.escape(tr(WIDGET_TEXT))}</div>'}
    exporter.language_code = "zh-CN" if get_language() == "zh" else "en"   # the browser picks glyph forms by it
    body, _ = exporter.from_notebook_node(nb, resources={"course_nav": nav})
    target = executed.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target


#: Each edition's name, and where the other edition's home is, seen from its own home.
EDITIONS = {"en": ("English edition", "zh/index.html"), "zh": ("中文版", "../index.html")}


def write_index(out: Path, rows: list[dict], title: str = "Big Models, Hands-On",
                static: str | None = STATIC, lang: str = "en") -> Path:
    """index.html, the course home: one row per chapter with its title, one-line summary, status and
    seconds, linking its page; and a link to the other edition (English at OUT/, Chinese at OUT/zh/)."""
    check_lang(lang)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise TypeError(f"rows must be a list of dicts (chapter, status, seconds), got {type(rows).__name__}")
    def row(r: dict) -> str:
        name = html.escape(r["chapter"])
        label = html.escape(r.get("title") or r["chapter"])
        summary = html.escape(r.get("summary", ""))
        error = f'<div class="err">{html.escape(r["error"])}</div>' if r.get("error") else ""
        status = html.escape(tr(r["status"]))
        return (f'<tr><td><a href="{name}.html">{label}</a><div class="sum">{summary}</div>{error}</td>'
                f'<td class="{r["status"]}">{status}</td><td>{r["seconds"]:.1f}&nbsp;s</td></tr>')

    other = "zh" if lang == "en" else "en"
    other_name, other_href = EDITIONS[other][0], EDITIONS[lang][1]
    editions = (f'<p class="ed">{html.escape(tr("The other edition:"))} <a href="{other_href}">'
                f'{html.escape(other_name)}</a> ({html.escape(tr("built by"))} '
                f'<code>bigmodel run{" --lang zh" if other == "zh" else ""}</code>)</p>')

    mathjax = ""
    if static is not None and (out / static / "mathjax" / "MathJax.js").is_file():
        mathjax = (f'<script type="text/x-mathjax-config">MathJax.Hub.Config({{tex2jax: {{inlineMath: '
                   f'[["$","$"], ["\\\\(","\\\\)"]], processEscapes: true}}, messageStyle: "none"}});'
                   f'</script><script src="{static}/mathjax/MathJax.js?config={MATHJAX_CONFIG}"></script>')
    code = "zh-CN" if lang == "zh" else "en"
    page = (f"<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>{mathjax}"
            "<style>body{font-family:sans-serif;margin:2em;max-width:70em}td,th{padding:.5em 1em;"
            "text-align:left;vertical-align:top}tr{border-bottom:1px solid #ddd}table{border-collapse:collapse}"
            ".sum{color:#444;font-size:.9em;margin-top:.2em}.err{color:#b00;font-size:.85em}"
            ".ok{color:green}.failed{color:#b00}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{editions}<p>"
            + html.escape(tr("Each chapter as executed: open one to read it with its outputs."))
            + f"</p><table><tr><th>{html.escape(tr('chapter'))}</th><th>{html.escape(tr('status'))}</th>"
            f"<th>{html.escape(tr('time'))}</th></tr>"
            + "".join(row(r) for r in rows) + "</table></body></html>\n")
    target = out / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


def run_chapter(src: Path, out: Path, parameters: dict, nav: str = "", static: str | None = STATIC,
                timeout: float | None = None) -> dict:
    """Execute one chapter into out/, export it to HTML; return its summary row (a failing chapter is a
    row, not an exception; only bad arguments raise, before any work)."""
    import nbformat
    import papermill as pm

    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict of name -> value, got {type(parameters).__name__}")
    if not Path(src).is_file():
        raise FileNotFoundError(f"no chapter notebook {src}")

    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ValueError(f"timeout must be a positive number of seconds per cell or None, got {timeout!r}")
    executed = out / src.name
    for stale in (executed, executed.with_suffix(".html")):  # never export last run's notebook by mistake
        stale.unlink(missing_ok=True)
    row: dict = {"chapter": src.stem, "status": "ok", "seconds": 0.0}
    try:
        row["title"], row["summary"] = chapter_title_and_summary(nbformat.read(src, as_version=4))
    except Exception:
        pass
    start = time.perf_counter()
    try:
        pm.execute_notebook(src, executed, parameters=parameters, kernel_name="python3",
                            cwd=str(src.parent), progress_bar=False, execution_timeout=timeout)
    except Exception as err:  # a failing chapter is reported, and the next one still runs
        row.update(status="failed", error=describe_failure(err, src, bool(parameters)))
    row["seconds"] = round(time.perf_counter() - start, 2)
    if executed.exists():
        try:
            export_html(executed, nav=nav, static=static)
        except Exception as err:
            row.update(status="failed", error=f"{src.stem}: HTML export failed: {type(err).__name__}: {err}")
    return row


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bigmodel run", description="Execute the course's chapters with "
                                "papermill and write executed notebooks, HTML pages and a summary.")
    p.add_argument("--chapters", nargs="+", metavar="NN", help="chapters to run, e.g. 03 07 (default: all)")
    p.add_argument("--profile", help='"default" or "full" (passed to every chapter)')
    p.add_argument("--device", help='"auto", "cpu", "cuda" or "mps"')
    p.add_argument("--seed", type=int)
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="any other parameter; VALUE is read as a Python literal when it is one")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help='"zh": the Chinese edition (notebooks/zh/), pages in OUTPUT/zh/ (default: "en")')
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="stop a cell that runs longer than this and report it (default: no limit)")
    p.add_argument("-o", "--output", type=Path, default=OUT_DEFAULT,
                   help=f"default: {OUT_DEFAULT}/ (the Chinese edition: its zh/ folder)")
    p.add_argument("--notebooks-dir", type=Path, default=None,
                   help="where the chapters are (default: the repository's notebooks/)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the chapters; 0 when all passed, 1 when any failed, 2 on bad arguments."""
    from tqdm.auto import tqdm

    args = build_parser().parse_args(argv)
    params = {name: parse_value(value) for name, value in args.parameter}
    params.update({k: v for k, v in (("profile", args.profile), ("device", args.device),
                                     ("seed", args.seed)) if v is not None})
    from bigmodel_lib.device import PROFILES

    set_language(args.lang)         # the pages' own words; the Chinese notebooks set lang = "zh" themselves
    if args.timeout is not None and args.timeout <= 0:
        print(f"bigmodel run: --timeout: must be a positive number of seconds, got {args.timeout}")
        return 2

    if args.profile is not None and args.profile not in PROFILES:   # (a bad device is the chapter's to name)
        print(f"bigmodel run: --profile: profile must be one of {PROFILES}, got {args.profile!r}")
        return 2
    try:
        chapters = find_chapters(args.notebooks_dir or default_notebooks_dir(args.lang), args.chapters)
    except ValueError as err:
        print(f"bigmodel run: {err}")
        return 2
    out = args.output / "zh" if args.lang == "zh" else args.output
    out.mkdir(parents=True, exist_ok=True)

    static = STATIC if install_mathjax(out) else None
    if static is None:
        print("bigmodel run: warning: jupyter-server-mathjax is not installed, so the pages load MathJax "
              "from the internet (pip install -r requirements.txt installs it)")
    rows = []
    bar = tqdm(chapters, desc="chapters", unit="nb")
    stems = [c.stem for c in chapters]
    for i, src in enumerate(bar):
        bar.set_postfix_str(src.stem)
        nav = nav_html(stems[i - 1] if i else None, stems[i + 1] if i + 1 < len(stems) else None)
        rows.append(run_chapter(src, out, params, nav=nav, static=static, timeout=args.timeout))
        if rows[-1]["status"] != "ok":
            tqdm.write(f"FAILED {rows[-1]['error']}")
    bar.close()

    (out / "summary.json").write_text(json.dumps({"parameters": params, "chapters": rows}, indent=2) + "\n",
                                      encoding="utf-8")
    write_index(out, rows, static=static, lang=args.lang,
                title="大模型的挑战，动手实践（Big Models, Hands-On）" if args.lang == "zh" else "Big Models, Hands-On")
    width = max(len(r["chapter"]) for r in rows)
    print(f"\n{'chapter':<{width}}  status  seconds")
    for r in rows:
        print(f"{r['chapter']:<{width}}  {r['status']:<6}  {r['seconds']:7.1f}")
    failed = [r for r in rows if r["status"] != "ok"]
    print(f"total {sum(r['seconds'] for r in rows):.1f} s; output in {out}/ (index.html, summary.json)")
    if failed:
        print(f"{len(failed)} of {len(rows)} chapters failed:")
        for r in failed:
            print(f"  {r['error']}")
        return 1
    return 0
