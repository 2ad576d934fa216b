"""Every figure of chapter 09, called as the chapter calls it (for the Chinese-label test)."""
from bigmodel_lib.diagrams import ch09

CALLS = [
    lambda: ch09.ddp_figure(),
    lambda: ch09.fsdp_figure(),
    lambda: ch09.tensor_parallel_figure(),
    lambda: ch09.pipeline_figure(n_stages=2, n_micro=4),
    lambda: ch09.pipeline_figure(n_stages=4, n_micro=8),
]
