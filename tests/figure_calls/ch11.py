"""Every public figure of chapter 11, called as the chapter calls it (the lead's test runs them with lang="zh")."""
from bigmodel_lib.diagrams import ch11

CALLS = [
    lambda: ch11.memory_stack(n_params=7e9, activations=60e9, n_gpus=8, gpu_gb=80),
    lambda: ch11.checkpointing(n_layer=4),
]
