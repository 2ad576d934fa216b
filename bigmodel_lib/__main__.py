"""The `bigmodel` command (also `python -m bigmodel_lib`): `bigmodel run|grade|bench|lab ...`."""
from __future__ import annotations

import sys

USAGE = """usage: bigmodel {run,grade,bench,lab,gpucheck,translate} [options]

  run    execute chapters with papermill into build/course/ (HTML, index, summary)
  grade  run every learner's notebooks in a sandbox and write a gradebook (`bigmodel grade --help`)
  bench  measure this machine (see `bigmodel bench --help`)
  lab    start JupyterLab on the chapters (adds --allow-root when run as root; --lang zh: the Chinese edition)
  gpucheck  check everything GPU-specific once on a CUDA machine; writes a JSON report
  translate  the Chinese edition: extract English text into i18n/zh/*.po, build notebooks/zh/, check

`bigmodel run --help` lists run's options."""


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand; each one is imported only when asked for."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        from bigmodel_lib import runner

        return runner.main(rest)
    if command == "grade":
        from bigmodel_lib import grade

        return grade.main(rest)
    if command == "lab":
        import os
        import subprocess

        from bigmodel_lib.runner import default_notebooks_dir

        root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        lang = "en"
        if rest[:1] == ["--lang"] and len(rest) > 1:      # `bigmodel lab --lang zh`: the Chinese edition
            lang, rest = rest[1], rest[2:]
        if lang not in ("en", "zh"):
            print(f"bigmodel lab: --lang must be 'en' or 'zh', got {lang!r}", file=sys.stderr)
            return 2
        cmd = [sys.executable, "-m", "jupyter", "lab", str(default_notebooks_dir(lang)), *root, *rest]
        return subprocess.call(cmd)
    if command == "bench":
        from bigmodel_lib import bench

        return bench.main(rest)
    if command == "translate":
        from bigmodel_lib import translate

        return translate.main(rest)
    if command == "gpucheck":
        from bigmodel_lib import gpucheck

        return gpucheck.main(rest)
    print(f"bigmodel: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
