"""Every figure of chapter 12, called as the chapter calls it (for the Chinese-label test)."""
from bigmodel_lib.diagrams import ch12

CALLS = [
    lambda: ch12.inside_methods(),
    lambda: ch12.perturbation_methods(),
]
