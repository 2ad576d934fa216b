"""Every figure of chapter 08, called as the chapter calls it (the translation test runs them with lang="zh")."""
from bigmodel_lib.diagrams import ch08

CALLS = [
    lambda: ch08.kv_cache_figure(n_steps=4),
    lambda: ch08.moe_figure(n_experts=4, top_k=1),
    lambda: ch08.moe_figure(n_experts=8, top_k=2),
]
