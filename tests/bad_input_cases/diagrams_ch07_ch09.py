"""Bad-input cases for the figures of chapters 07 to 09 (bigmodel_lib.diagrams.ch07 .. ch09)."""
import matplotlib

matplotlib.use("Agg")

from bigmodel_lib.diagrams import ch07, ch08, ch09  # noqa: E402

CASES = [
    ("diag07-wiring-labels", "diagrams.ch07.transformer_wiring_figure", lambda: ch07.transformer_wiring_figure(labels="fr"),
     TypeError, r"labels must be a dict"),
    ("diag07-sampling-labels", "diagrams.ch07.sampling_loop_figure", lambda: ch07.sampling_loop_figure(labels=[1]),
     TypeError, r"labels must be a dict"),
    ("diag08-kv-steps", "diagrams.ch08.kv_cache_figure", lambda: ch08.kv_cache_figure(n_steps=0), ValueError,
     r"n_steps must be >= 1"),
    ("diag08-moe-topk", "diagrams.ch08.moe_figure", lambda: ch08.moe_figure(n_experts=4, top_k=5), ValueError,
     r"top_k must be <= 4"),
    ("diag09-ddp-labels", "diagrams.ch09.ddp_figure", lambda: ch09.ddp_figure(labels=3), TypeError, r"labels must be a dict"),
    ("diag09-fsdp-labels", "diagrams.ch09.fsdp_figure", lambda: ch09.fsdp_figure(labels=3), TypeError, r"labels must be a dict"),
    ("diag09-tp-labels", "diagrams.ch09.tensor_parallel_figure", lambda: ch09.tensor_parallel_figure(labels=3), TypeError,
     r"labels must be a dict"),
    ("diag09-schedule-micro", "diagrams.ch09.gpipe_schedule", lambda: ch09.gpipe_schedule(2, 0), ValueError,
     r"n_micro must be >= 1"),
    ("diag09-pipeline-stages", "diagrams.ch09.pipeline_figure", lambda: ch09.pipeline_figure(n_stages=9), ValueError,
     r"n_stages must be <= 8"),
]
