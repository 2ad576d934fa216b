"""`bigmodel grade SUBMISSIONS -o OUT`: run every learner's notebooks in a sandbox and write a gradebook.

SUBMISSIONS holds one folder per learner with chapters named as the course's (`03_attention.ipynb`).
Each chapter of each learner runs in its own limited process (`bigmodel_lib.sandbox`); the verdicts are
read from the structured output the checkers attach (`exercises.RESULT_MIME`), never from printed text.

OUT gets `gradebook.csv` (learner, chapter, exercise, status, message: one row per learner and exercise,
sorted, no times, so the same submissions give the same file), `chapters.csv` (learner, chapter, status,
reason), `gradebook.html`, and per learner the executed notebooks, their HTML pages and an index.
"""
from __future__ import annotations

import argparse
import csv
import html
import importlib
import inspect
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .exercises import REPORT_MIME, RESULT_MIME, Result
from .runner import (
    STATIC,
    chapter_title_and_summary,
    default_notebooks_dir,
    export_html,
    install_mathjax,
    nav_html,
    write_index,
)
from .sandbox import Limits, run_limited, sandbox_status

DEFAULT_LIMITS = Limits()
STATUSES = ("passed", "failed", "not attempted")
MESSAGE_MAX = 500


@dataclass
class _ChapterRun:
    """One learner's chapter after grading: status ("ok", "stopped", "missing"), the reason when it
    stopped, its seconds, and the verdicts found, by exercise name."""
    chapter: str
    status: str
    reason: str = ""
    seconds: float = 0.0
    verdicts: dict[str, dict] = field(default_factory=dict)


def exercise_names(chapter: str) -> list[str]:
    """The names of a chapter's exercises, asked from its checkers: each `exercise_N` called with None for
    every argument answers "not attempted" under its name (no learner code involved)."""
    if not isinstance(chapter, str):
        raise TypeError(f"chapter must be a chapter name such as '03_attention', got {type(chapter).__name__}")
    number = chapter.split("_", 1)[0]
    try:
        module = importlib.import_module(f"bigmodel_lib.exercises.ch{number}")
    except ImportError:
        return []
    names = []
    funcs = sorted((n for n in dir(module) if n.startswith("exercise_")),
                   key=lambda n: (len(n), n))
    for fname in funcs:
        fn = getattr(module, fname)
        try:
            params = [p for p in inspect.signature(fn).parameters.values()
                      if p.default is inspect.Parameter.empty
                      and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            result = fn(*[None] * len(params))
        except Exception:
            continue
        if isinstance(result, Result) and result.name not in names:
            names.append(result.name)
    return names


REPORT_TAG = "bigmodel-report"
REPORT_CELL = "from bigmodel_lib.exercises import report as _bigmodel_report\n_bigmodel_report()"


def _add_report_cell(nb) -> None:
    """Append the cell that shows every verdict reached in the kernel (`exercises.report()`), tagged
    REPORT_TAG, so checks a learner assigned without showing still reach the gradebook."""
    import nbformat

    cell = nbformat.v4.new_code_cell(REPORT_CELL)
    cell.metadata["tags"] = [REPORT_TAG]
    nb.cells.append(cell)


def _json(value):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def read_verdicts(nb) -> dict[str, dict]:
    """Verdicts found in an executed notebook: every RESULT_MIME output, then the report cell's list
    (the last one per exercise wins). The notebook was written by a learner's process, so anything
    malformed is skipped."""
    if not hasattr(nb, "get"):
        raise TypeError(f"nb must be a notebook (nbformat.read(...) or its JSON dict), got {type(nb).__name__}")
    found: dict[str, dict] = {}

    def take(v) -> None:
        if (isinstance(v, dict) and isinstance(v.get("name"), str) and v.get("status") in STATUSES
                and isinstance(v.get("message", ""), str)):
            found[v["name"]] = {"status": v["status"], "message": v.get("message", "")[:MESSAGE_MAX]}

    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {}) if isinstance(output, dict) else {}
            if not isinstance(data, dict):
                continue
            take(_json(data.get(RESULT_MIME)))
            listed = _json(data.get(REPORT_MIME))
            for v in listed if isinstance(listed, list) else []:
                take(v)
    return found


def _first_error(nb) -> str:
    """`Ename: evalue` of the first error output in an executed notebook, or ""."""
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                evalue = str(output.get("evalue", "")).strip().splitlines()
                first = next((ln.strip() for ln in str(cell.get("source", "")).splitlines() if ln.strip()), "")
                return (f"cell `{first[:80]}` raised {output.get('ename', 'Error')}: "
                        f"{evalue[0][:300] if evalue else ''}")
    return ""


def _explain(error: str, limits: Limits) -> str:
    """Name the limit or the isolation that stopped a chapter, from the error it raised."""
    if "MemoryError" in error or "Cannot allocate memory" in error or "_ArrayMemoryError" in error:
        return f"memory limit ({limits.memory_mb} MiB) reached: {error}"
    if "Read-only file system" in error or "Errno 30" in error or "PermissionError" in error:
        return f"write outside its folder blocked: {error}"
    if ("Network is unreachable" in error or "Errno 101" in error or "gaierror" in error
            or "Temporary failure in name resolution" in error):
        return f"network blocked: {error}"
    return error


def _grade_chapter(learner_dir: Path, chapter: str, lout: Path, limits: Limits, parameters: dict,
                  hide: list[Path], sandbox: bool) -> _ChapterRun:
    """Run one learner's chapter in its own limited folder (lout/.run/CHAPTER) and collect the result
    into lout/CHAPTER.ipynb (a later chapter cannot touch an earlier one's output)."""
    import nbformat

    src = learner_dir / f"{chapter}.ipynb"
    if not src.is_file():
        return _ChapterRun(chapter, "missing", "no notebook submitted")
    work = lout / ".run" / chapter
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        submitted = nbformat.read(src, as_version=4)
    except Exception as err:
        return _ChapterRun(chapter, "stopped", f"the notebook cannot be read ({type(err).__name__}: {err})")
    _add_report_cell(submitted)
    nbformat.write(submitted, work / "submitted.ipynb")
    argv = [sys.executable, "-m", "bigmodel_lib.sandbox",
            "execute", "submitted.ipynb", "executed.ipynb", json.dumps(parameters),
            str(max(1.0, limits.seconds - 5))]
    res = run_limited(argv, work, limits, hide=hide, sandbox=sandbox)
    run = _ChapterRun(chapter, "ok", seconds=res.seconds)
    executed = work / "executed.ipynb"
    nb = None
    if executed.is_symlink():       # written by the learner's process: never follow it out of the folder
        run.status, run.reason = "stopped", "its executed notebook is a symbolic link (refused)"
    elif executed.is_file():
        try:
            nb = nbformat.reads(executed.read_text(encoding="utf-8", errors="replace")[:50_000_000],
                                as_version=4)
        except Exception as err:
            run.status, run.reason = "stopped", f"its executed notebook is unreadable ({type(err).__name__})"
    if nb is not None:
        run.verdicts = read_verdicts(nb)
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, lout / f"{chapter}.ipynb")
    if res.timed_out:
        run.status, run.reason = "stopped", f"time limit ({limits.seconds:g} s) exceeded; the process was killed"
    elif res.returncode != 0:
        error = _first_error(nb) if nb is not None else ""
        if "CellTimeoutError" in res.output_tail or "Cell execution timed out" in res.output_tail:
            error = f"time limit ({limits.seconds:g} s) exceeded; the kernel was stopped"
        elif not error:
            error = ("its process ended with code "
                     f"{res.returncode}: " + (res.output_tail.strip().splitlines() or [""])[-1][:300])
        run.status, run.reason = "stopped", _explain(error, limits)
    elif nb is None:
        run.status, run.reason = "stopped", "no executed notebook came back"
    return run


def _learners(submissions: Path) -> list[Path]:
    return sorted((p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.name)


def _gradebook_rows(runs: dict[str, list[_ChapterRun]], catalogue: dict[str, list[str]]) -> list[dict]:
    """learner x exercise rows: a verdict found, or "not attempted" with the chapter's reason."""
    rows = []
    for learner, chapter_runs in sorted(runs.items()):
        for run in chapter_runs:
            names = list(catalogue.get(run.chapter, []))
            names += sorted(n for n in run.verdicts if n not in names and not catalogue.get(run.chapter))
            for name in names:
                v = run.verdicts.get(name)
                if v is None:
                    why = {"missing": "no notebook submitted",
                           "stopped": f"the chapter stopped before this check: {run.reason}"}.get(
                        run.status, "no result: the check's cell is missing or was not run")
                    v = {"status": "not attempted", "message": why}
                rows.append({"learner": learner, "chapter": run.chapter, "exercise": name, **v})
    return sorted(rows, key=lambda r: (r["learner"], r["chapter"], r["exercise"]))


def _write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _write_html(out: Path, rows: list[dict], chapter_rows: list[dict], note: str) -> Path:
    """gradebook.html: a learner x exercise table (colour and mark; the message on hover and below),
    then each learner's chapters with their status and reason."""
    exercises = sorted({(r["chapter"], r["exercise"]) for r in rows})
    people = sorted({r["learner"] for r in rows} | {r["learner"] for r in chapter_rows})
    cell = {(r["learner"], r["exercise"]): r for r in rows}
    mark = {"passed": "✔", "failed": "✘", "not attempted": "…"}
    head = "".join(f"<th>{html.escape(e)}</th>" for _, e in exercises)
    body = []
    for learner in people:
        tds = []
        for _, e in exercises:
            r = cell.get((learner, e))
            if r is None:
                tds.append("<td></td>")
                continue
            cls = r["status"].replace(" ", "-")
            tds.append(f'<td class="{cls}" title="{html.escape(r["message"])}">{mark[r["status"]]} '
                       f'{html.escape(r["status"])}<div class="msg">{html.escape(r["message"])}</div></td>')
        link = f'<a href="{html.escape(learner)}/index.html">{html.escape(learner)}</a>'
        body.append(f"<tr><th>{link}</th>{''.join(tds)}</tr>")
    chapters = "".join(
        f"<tr><td>{html.escape(c['learner'])}</td><td>{html.escape(c['chapter'])}</td>"
        f"<td class=\"{'passed' if c['status'] == 'ok' else 'failed'}\">{html.escape(c['status'])}</td>"
        f"<td>{html.escape(c['reason'])}</td></tr>" for c in chapter_rows)
    page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gradebook</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
            "td,th{border:1px solid #ccc;padding:.4em .6em;text-align:left;vertical-align:top;max-width:22em}"
            ".passed{background:#dafbe1}.failed{background:#ffebe9}.not-attempted{background:#f6f8fa;"
            "color:#57606a}.msg{font-size:.8em;color:#444}.note{color:#57606a}</style></head><body>"
            f"<h1>Gradebook</h1><p class=\"note\">{html.escape(note)}</p>"
            f"<table><tr><th>learner</th>{head}</tr>{''.join(body)}</table>"
            "<h2>Chapters</h2><table><tr><th>learner</th><th>chapter</th><th>status</th><th>reason</th></tr>"
            f"{chapters}</table></body></html>\n")
    target = out / "gradebook.html"
    target.write_text(page, encoding="utf-8")
    return target


def grade(submissions: Path, out: Path, chapters: list[str] | None = None, limits: Limits = DEFAULT_LIMITS,
          parameters: dict | None = None, sandbox: bool | None = None, log=print) -> list[dict]:
    """Grade every learner folder in `submissions` into `out`; return the gradebook rows."""
    if not isinstance(limits, Limits):
        raise TypeError(f"limits must be a sandbox.Limits, got {type(limits).__name__}")
    if parameters is not None and not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict of name -> value, got {type(parameters).__name__}")
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if not submissions.is_dir():
        raise ValueError(f"SUBMISSIONS must be a folder of learner folders, got {submissions}")
    if out == submissions or submissions in out.parents or out in submissions.parents:
        raise ValueError(f"-o {out} must be outside SUBMISSIONS {submissions} (and not contain it)")
    course = default_notebooks_dir().resolve().parent
    if out == course or out in course.parents:
        raise ValueError(f"-o {out} must not contain the course ({course})")
    ours = {p.stem for p in default_notebooks_dir().glob("[0-9][0-9]_*.ipynb")}
    people = _learners(submissions)
    if not people:
        raise ValueError(f"no learner folders in {submissions}")
    if chapters:
        wanted = []
        for c in chapters:
            match = sorted(s for s in ours if s == c.removesuffix(".ipynb") or s.split("_", 1)[0] == c.zfill(2))
            if not match:
                raise ValueError(f"--chapters: no course chapter {c!r} (have: {', '.join(sorted(ours))})")
            wanted += [m for m in match if m not in wanted]
    else:
        wanted = sorted({p.stem for person in people for p in person.glob("*.ipynb")} & ours)
    if sandbox is None:
        sandbox, why = sandbox_status()
    else:
        why = sandbox_status()[1] if sandbox else "sandbox turned off (--no-sandbox)"
    if sandbox:
        note = (f"Each chapter ran sandboxed ({why}), limits {limits.seconds:g} s, "
                f"{limits.memory_mb} MiB per process.")
    else:
        note = (f"WARNING: no sandbox ({why}). Each chapter ran in a separate process with its own folder, "
                f"{limits.seconds:g} s and {limits.memory_mb} MiB per process, but it could read and write "
                f"the teacher's files and use the network.")
    log(note)
    out.mkdir(parents=True, exist_ok=True)
    static = STATIC if install_mathjax(out) else None
    catalogue = {c: exercise_names(c) for c in wanted}
    hide = [submissions, out, Path.home()]
    runs: dict[str, list[_ChapterRun]] = {}
    for person in people:
        lout = out / person.name
        if lout.exists():
            shutil.rmtree(lout)
        lout.mkdir()
        runs[person.name] = []
        index_rows = []
        for i, chapter in enumerate(wanted):
            run = _grade_chapter(person, chapter, lout, limits, parameters or {}, hide, sandbox)
            runs[person.name].append(run)
            log(f"{person.name:<16} {chapter:<28} {run.status:<8} {run.seconds:6.1f} s  {run.reason}")
            row = {"chapter": chapter, "status": "ok" if run.status == "ok" else "failed",
                   "seconds": run.seconds, "error": run.reason}
            executed = lout / f"{chapter}.ipynb"
            if executed.is_file():
                import nbformat
                try:
                    nb = nbformat.read(executed, as_version=4)
                    row["title"], row["summary"] = chapter_title_and_summary(nb)
                    nav = nav_html(wanted[i - 1] if i else None, wanted[i + 1] if i + 1 < len(wanted) else None)
                    export_html(executed, nav=nav, static=f"../{static}" if static else None, sanitize=True)
                except Exception as err:
                    row["error"] = (row["error"] + "; " if row["error"] else "") + \
                        f"page not written: {type(err).__name__}"
            index_rows.append(row)
        write_index(lout, index_rows, title=f"{person.name}: executed chapters",
                    static=f"../{static}" if static else None)
        shutil.rmtree(lout / ".run", ignore_errors=True)
    rows = _gradebook_rows(runs, catalogue)
    chapter_rows = sorted(({"learner": p, "chapter": r.chapter, "status": r.status, "reason": r.reason}
                           for p, rs in runs.items() for r in rs),
                          key=lambda r: (r["learner"], r["chapter"]))
    _write_csv(out / "gradebook.csv", rows, ["learner", "chapter", "exercise", "status", "message"])
    _write_csv(out / "chapters.csv", chapter_rows, ["learner", "chapter", "status", "reason"])
    _write_html(out, rows, chapter_rows, note)
    (out / "times.json").write_text(json.dumps(
        {p: {r.chapter: r.seconds for r in rs} for p, rs in sorted(runs.items())}, indent=2) + "\n")
    return rows


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bigmodel grade", description="Run every learner's notebooks in a "
                                "sandbox and write a gradebook (CSV and HTML) with their executed pages.")
    p.add_argument("submissions", type=Path, help="a folder with one folder per learner")
    p.add_argument("-o", "--output", type=Path, required=True, help="where the gradebook goes")
    p.add_argument("--chapters", nargs="+", metavar="NN", help="chapters to grade (default: those found)")
    p.add_argument("--timeout", type=float, default=600, help="seconds per chapter (default 600)")
    p.add_argument("--memory", type=int, default=4096, help="MiB per process (default 4096)")
    p.add_argument("--device", default="cpu", help='passed to every chapter (default "cpu")')
    p.add_argument("--no-sandbox", action="store_true",
                   help="run without bubblewrap even where it works (limits and own folders remain)")
    return p


def main(argv: list[str] | None = None) -> int:
    """0 when every chapter of every learner ran through, 1 when any stopped or was missing, 2 on bad
    arguments."""
    args = build_parser().parse_args(argv)
    try:
        limits = Limits(seconds=args.timeout, memory_mb=args.memory)
        rows = grade(args.submissions, args.output, args.chapters, limits, {"device": args.device},
                     sandbox=False if args.no_sandbox else None)
    except ValueError as err:
        print(f"bigmodel grade: {err}")
        return 2
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    print(f"{len(rows)} learner x exercise verdicts: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    print(f"gradebook: {args.output / 'gradebook.html'} and gradebook.csv")
    stopped = list(csv.DictReader((args.output / "chapters.csv").open(encoding="utf-8")))
    return 1 if any(r["status"] != "ok" for r in stopped) else 0
