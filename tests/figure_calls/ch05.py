"""Every public figure of chapter 05, called as the chapter calls them."""
from bigmodel_lib.diagrams import ch05

CALLS = [
    lambda: ch05.six_flops_figure(),
    lambda: ch05.units_figure(),
    lambda: ch05.prediction_figure(),
]
