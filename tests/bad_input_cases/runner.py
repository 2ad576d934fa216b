"""Bad-input cases for bigmodel_lib.runner (format: tests/bad_input_cases/__init__.py)."""
from pathlib import Path

from bigmodel_lib import runner

from . import exit_message, scratch_dir

CASES = [
    ("run-parse-type", "runner.parse_value", lambda: runner.parse_value(3), TypeError, r"text must be a str"),
    ("run-find-dir", "runner.find_chapters", lambda: runner.find_chapters(Path("/nonexistent-notebooks")), ValueError,
     r"no chapter notebooks"),
    ("run-find-unknown", "runner.find_chapters", lambda: runner.find_chapters(runner.default_notebooks_dir(), ["99"]),
     ValueError, r"no chapter '99'"),
    ("run-describe-err", "runner.describe_failure", lambda: runner.describe_failure("boom", Path("a.ipynb"), True),
     TypeError, r"err must be an exception"),
    ("run-export-missing", "runner.export_html", lambda: runner.export_html(Path("/nonexistent/executed.ipynb")),
     FileNotFoundError, r"executed.ipynb"),
    ("run-index-rows", "runner.write_index", lambda: runner.write_index(Path(scratch_dir()), "rows"), TypeError,
     r"rows must be a list"),
    ("run-chapter-params", "runner.run_chapter",
     lambda: runner.run_chapter(runner.find_chapters(runner.default_notebooks_dir(), ["00"])[0], Path(scratch_dir()),
                                "profile=full"), TypeError, r"parameters must be a dict"),
    ("run-chapter-missing", "runner.run_chapter",
     lambda: runner.run_chapter(Path("/nonexistent/03_x.ipynb"), Path(scratch_dir()), {}), FileNotFoundError,
     r"03_x.ipynb"),
    # checked before any chapter runs (today an unknown profile is found only inside each chapter's kernel)
    ("run-main-profile", "runner.main",
     lambda: exit_message(runner.main, ["--profile", "huge", "--chapters", "99", "-o", scratch_dir()]), ValueError,
     r"profile must be one of"),
    ("run-main-chapter", "runner.main", lambda: exit_message(runner.main, ["--chapters", "99", "-o", scratch_dir()]),
     ValueError, r"no chapter '99'"),
    ("run-mathjax-out", "runner.install_mathjax", lambda: runner.install_mathjax("build/course"), TypeError,
     r"out must be a pathlib.Path"),
    ("run-summary-nb", "runner.chapter_title_and_summary", lambda: runner.chapter_title_and_summary("03.ipynb"),
     TypeError, r"nb must be a notebook"),
    ("run-nav-prev", "runner.nav_html", lambda: runner.nav_html(3, None), TypeError,
     r"prev must be a chapter name \(str\) or None"),
    ("run-default-dir-lang", "runner.default_notebooks_dir", lambda: runner.default_notebooks_dir("fr"), ValueError,
     r"lang must be one of"),
    ("run-chapter-timeout", "runner.run_chapter",
     lambda: runner.run_chapter(runner.find_chapters(runner.default_notebooks_dir(), ["00"])[0], Path(scratch_dir()),
                                {}, timeout=0), ValueError, r"timeout must be a positive number of seconds"),
    ("run-index-lang", "runner.write_index", lambda: runner.write_index(Path(scratch_dir()), [], lang="cn"),
     ValueError, r"lang must be one of"),
    ("run-main-lang", "runner.main", lambda: exit_message(runner.main, ["--lang", "fr", "-o", scratch_dir()]),
     ValueError, r"invalid choice: 'fr'"),
    ("run-main-timeout", "runner.main",
     lambda: exit_message(runner.main, ["--timeout", "-5", "--chapters", "00", "-o", scratch_dir()]), ValueError,
     r"--timeout: must be a positive number"),
]
