"""Chapter 10's figures, each called as the chapter calls it (for the Chinese-label check)."""
import torch

from bigmodel_lib.diagrams import ch10

CALLS = [
    lambda: ch10.int8_grid(torch.randn(128, 512, generator=torch.Generator().manual_seed(0)) * 0.05),
    lambda: ch10.granularity(),
    lambda: ch10.outlier_feature(),
    lambda: ch10.rtn_gptq_awq(),
]
