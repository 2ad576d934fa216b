"""Every figure of chapter 06, called as the chapter calls it."""
from bigmodel_lib.diagrams import ch06

CALLS = [
    lambda: ch06.methods_map_figure(),
    lambda: ch06.three_questions_figure(),
]
