"""`bigmodel run`: execute chapters with papermill, export each to HTML, write an index page and a summary.

One chapter failing does not stop the others; the exit code says whether any failed, and the message
names the chapter, the cell (its index in the source notebook and its first line) and the error.
"""
from __future__ import annotations

import argparse
import ast
import html
import json
import time
from pathlib import Path
from typing import Any

OUT_DEFAULT = Path("build/course")


def default_notebooks_dir() -> Path:
    """The repository's notebooks/ next to the package (editable install), else ./notebooks."""
    repo = Path(__file__).resolve().parents[1] / "notebooks"
    return repo if repo.is_dir() else Path.cwd() / "notebooks"


def parse_value(text: str) -> Any:
    """A -p value as a Python literal when it is one ("1" -> 1, "True" -> True), else the string itself."""
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


def export_html(executed: Path) -> Path:
    """Write executed.html beside the executed notebook (nbconvert's HTMLExporter)."""
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    target = executed.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target


def write_index(out: Path, rows: list[dict]) -> Path:
    """index.html: one row per chapter, linking its HTML page, with status and seconds."""
    lines = [f"<tr><td><a href=\"{html.escape(r['chapter'])}.html\">{html.escape(r['chapter'])}</a></td>"
             f"<td class=\"{r['status']}\">{r['status']}</td><td>{r['seconds']:.1f}</td>"
             f"<td>{html.escape(r.get('error', ''))}</td></tr>" for r in rows]
    page = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>Big Models, Hands-On</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em 1em;text-align:left}"
            ".ok{color:green}.failed{color:#b00}</style></head><body>"
            "<h1>Big Models, Hands-On — executed chapters</h1>"
            "<table><tr><th>chapter</th><th>status</th><th>seconds</th><th>error</th></tr>"
            + "".join(lines) + "</table></body></html>\n")
    target = out / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


def run_chapter(src: Path, out: Path, parameters: dict) -> dict:
    """Execute one chapter into out/, export it to HTML; return its summary row (never raises)."""
    import papermill as pm

    executed = out / src.name
    for stale in (executed, executed.with_suffix(".html")):  # never export last run's notebook by mistake
        stale.unlink(missing_ok=True)
    row: dict = {"chapter": src.stem, "status": "ok", "seconds": 0.0}
    start = time.perf_counter()
    try:
        pm.execute_notebook(src, executed, parameters=parameters, kernel_name="python3",
                            cwd=str(src.parent), progress_bar=False)
    except Exception as err:  # a failing chapter is reported, and the next one still runs
        row.update(status="failed", error=describe_failure(err, src, bool(parameters)))
    row["seconds"] = round(time.perf_counter() - start, 2)
    if executed.exists():
        try:
            export_html(executed)
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
    p.add_argument("-o", "--output", type=Path, default=OUT_DEFAULT, help=f"default: {OUT_DEFAULT}/")
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
    try:
        chapters = find_chapters(args.notebooks_dir or default_notebooks_dir(), args.chapters)
    except ValueError as err:
        print(f"bigmodel run: {err}")
        return 2
    out = args.output
    out.mkdir(parents=True, exist_ok=True)

    rows = []
    bar = tqdm(chapters, desc="chapters", unit="nb")
    for src in bar:
        bar.set_postfix_str(src.stem)
        rows.append(run_chapter(src, out, params))
        if rows[-1]["status"] != "ok":
            tqdm.write(f"FAILED {rows[-1]['error']}")
    bar.close()

    (out / "summary.json").write_text(json.dumps({"parameters": params, "chapters": rows}, indent=2) + "\n",
                                      encoding="utf-8")
    write_index(out, rows)
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
