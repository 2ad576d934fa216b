"""Tensor and pipeline parallelism over 2 gloo processes under torchrun equal one process."""
import pytest
import torch

from bigmodel_lib.attention import MultiHeadAttention
from bigmodel_lib.distributed import launch
from bigmodel_lib.layers import FeedForward
from bigmodel_lib.models import GPT, GPTConfig
from bigmodel_lib.pipeline import Stage, bubble_fraction
from bigmodel_lib.tensor_parallel import (
    ColumnParallelLinear,
    RowParallelLinear,
    TensorParallelAttention,
    TensorParallelMLP,
)


def torchrun(module, tmp_path, *args):
    return launch(module, list(args), tmp_path / "r.json", nproc=2, timeout=300)


def test_tensor_parallel_equals_one_process(tmp_path):
    r = torchrun("bigmodel_lib.tensor_parallel", tmp_path)
    assert r["world"] == 2 and len(r["ranks"]) == 2
    for rank in r["ranks"]:
        assert rank["output_max_diff"] < 1e-5
        assert rank["input_grad_max_diff"] < 1e-5
        assert max(rank["grad_max_diff"].values()) < 1e-5
        assert rank["all_reduces_forward_and_backward"] == 4   # attention and MLP: one forward, one backward each
        assert rank["local_params"] < 0.55 * rank["full_params"]


def test_pipeline_equals_one_process(tmp_path):
    r = torchrun("bigmodel_lib.pipeline", tmp_path, "--micro", "1", "4", "--repeats", "1", "--batch", "8",
                 "--seq", "16", "--d-model", "32")
    last = r["ranks"][-1]
    for m in ("1", "4"):
        assert abs(last["equality"][m]["loss"] - last["ref_loss"]) < 1e-5
        for rank in r["ranks"]:
            assert rank["equality"][m]["grad_max_diff"] < 1e-5
        assert 0.0 <= last["timing"][m]["idle_fraction"] <= 1.0


def test_one_rank_split_is_the_whole_layer():
    """world = 1: the parallel layers hold the full weights and compute the plain layer."""
    torch.manual_seed(0)
    ff, mha = FeedForward(8, 32, activation="gelu"), MultiHeadAttention(8, 2)
    x = torch.randn(2, 5, 8)
    torch.testing.assert_close(TensorParallelMLP(ff, 0, 1)(x), ff(x))
    torch.testing.assert_close(TensorParallelAttention(mha, 0, 1)(x, is_causal=True), mha(x, is_causal=True)[0])


def test_column_then_row_halves_sum_to_the_full_product():
    """The algebra behind the split, in one process: concatenated column halves, summed row halves."""
    torch.manual_seed(0)
    a, b = torch.nn.Linear(6, 8), torch.nn.Linear(8, 6)
    x = torch.randn(3, 6)
    cols = [ColumnParallelLinear(a, r, 2)(x) for r in range(2)]
    torch.testing.assert_close(torch.cat(cols, -1), a(x))
    h = a(x)
    rows = [RowParallelLinear(b, r, 2).weight for r in range(2)]
    partial = sum(torch.nn.functional.linear(hh, w) for hh, w in zip(h.chunk(2, -1), rows))
    torch.testing.assert_close(partial + b.bias, b(h))


def test_stages_cover_the_model_and_bubble_formula():
    gpt = GPT(GPTConfig(vocab_size=10, block_size=8, n_layer=4, n_head=2, d_model=8))
    s0, s1 = Stage(gpt, 0, 2), Stage(gpt, 1, 2)
    assert len(s0.blocks) == len(s1.blocks) == 2 and s0.first and s1.last
    x = torch.randint(0, 10, (2, 8))
    torch.testing.assert_close(s1(s0(x)), gpt(x)[0])
    assert bubble_fraction(2, 1) == 0.5 and bubble_fraction(4, 8) == pytest.approx(3 / 11)
    assert bubble_fraction(1, 5) == 0.0
