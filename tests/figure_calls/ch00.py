"""Every figure of chapter 00, called as the chapter calls it (the translation test runs them with lang="zh")."""
from bigmodel_lib.diagrams import ch00

CALLS = [lambda: ch00.what_runs_where()]
