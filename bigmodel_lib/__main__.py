"""The `bigmodel` command (also `python -m bigmodel_lib`): `bigmodel run ...` and `bigmodel bench ...`."""
from __future__ import annotations

import sys

USAGE = """usage: bigmodel {run,bench} [options]

  run    execute chapters with papermill into build/course/ (HTML, index, summary)
  bench  measure this machine (see `bigmodel bench --help`)

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
    if command == "bench":
        from bigmodel_lib import bench

        return bench.main(rest)
    print(f"bigmodel: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
