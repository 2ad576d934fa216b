"""Chapter 07's figures, each called as the chapter calls it (for the Chinese-label check)."""
from bigmodel_lib.diagrams import ch07

CALLS = [
    lambda: ch07.transformer_wiring_figure(),
    lambda: ch07.sampling_loop_figure(),
]
