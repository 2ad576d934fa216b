"""Every figure of chapter 13, called as the chapter calls it (the lead's test runs them with lang="zh")."""
from bigmodel_lib.diagrams import ch13

COVERAGE = {
    "compute": [1, 2, 5, 11], "training time": [5, 9, 10], "memory": [2, 10, 11],
    "interpretability": [1, 6, 12], "the algorithm": [3, 4, 7], "the future": [8],
}

CALLS = [
    lambda: ch13.coverage_map(COVERAGE, list(range(14))),
    lambda: ch13.capstone_plan(),
]
