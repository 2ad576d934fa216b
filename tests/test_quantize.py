"""Absmax int8 from scratch: error bounds, per-channel vs per-tensor, LLM.int8()-style matmul, size helpers."""
import warnings

import pytest
import torch
import torch.nn as nn

from bigmodel_lib.models import GPT, GPTConfig
from bigmodel_lib.quantize import (
    absmax_quantize,
    dequantize,
    int8_matmul,
    linear_weight_bytes,
    model_bytes,
    quantization_error,
    serialized_bytes,
    tensor_bytes,
)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.mark.parametrize("per_channel", [False, True])
def test_round_trip_error_is_at_most_half_a_step(per_channel):
    w = torch.randn(16, 32)
    q, s = absmax_quantize(w, per_channel=per_channel)
    assert q.dtype == torch.int8 and q.shape == w.shape
    assert s.shape == ((16, 1) if per_channel else ())
    assert int(q.abs().max()) == 127                      # the absmax value lands on the grid's end
    assert bool(((w - dequantize(q, s)).abs() <= s / 2 + 1e-7).all())


def test_zero_tensor_and_dim_argument():
    q, s = absmax_quantize(torch.zeros(3, 4), per_channel=True)
    assert bool((q == 0).all()) and bool((s > 0).all())
    q, s = absmax_quantize(torch.randn(3, 4), per_channel=True, dim=0)
    assert s.shape == (1, 4)


def test_per_channel_beats_per_tensor_with_an_outlier_row():
    w = torch.randn(64, 64)
    w[3] *= 100.0                                         # one channel with huge values
    e_tensor = quantization_error(w, per_channel=False)
    e_channel = quantization_error(w, per_channel=True)
    # the error of the small rows is what suffers; compare on them
    mask = torch.ones(64, dtype=torch.bool)
    mask[3] = False
    q, s = absmax_quantize(w, per_channel=False)
    small_tensor = float((w - dequantize(q, s))[mask].norm() / w[mask].norm())
    q, s = absmax_quantize(w, per_channel=True)
    small_channel = float((w - dequantize(q, s))[mask].norm() / w[mask].norm())
    assert e_channel <= e_tensor
    assert small_channel < small_tensor / 20


def test_int8_matmul_close_and_outlier_decomposition_helps():
    x, w = torch.randn(32, 64), torch.randn(16, 64) * 0.1
    exact = x @ w.T
    rel = lambda y: float((y - exact).norm() / exact.norm())  # noqa: E731
    assert rel(int8_matmul(x, w)) < 0.02
    x[:, 5] *= 60.0                                      # an outlier feature dimension, as in LLM.int8()
    exact = x @ w.T
    plain, mixed = rel(int8_matmul(x, w)), rel(int8_matmul(x, w, outlier_threshold=6.0))
    assert mixed < plain / 3
    assert int8_matmul(torch.randn(2, 3, 64), w).shape == (2, 3, 16)


def test_bad_inputs_raise():
    with pytest.raises(TypeError, match="w must be a floating"):
        absmax_quantize(torch.arange(4))
    with pytest.raises(TypeError, match="q must be int8"):
        dequantize(torch.zeros(3), torch.tensor(1.0))
    with pytest.raises(ValueError, match="in-features"):
        int8_matmul(torch.randn(2, 3), torch.randn(4, 5))
    with pytest.raises(ValueError, match="outlier_threshold"):
        int8_matmul(torch.randn(2, 3), torch.randn(4, 3), outlier_threshold=0.0)
    with pytest.raises(TypeError, match="model"):
        linear_weight_bytes("not a model")
    with pytest.raises(ValueError, match="bits"):
        model_bytes(10, 0)


def test_sizes_count_a_tied_weight_once_and_int8_is_four_times_smaller():
    m = GPT(GPTConfig(vocab_size=50, block_size=16, n_layer=1, n_head=2, d_model=32))
    linear = [mod for mod in m.modules() if isinstance(mod, nn.Linear)]
    expected = sum(mod.weight.numel() for mod in linear) * 4 - m.head.weight.numel() * 4  # head is tied
    assert linear_weight_bytes(m, skip=("head",)) == expected
    assert linear_weight_bytes(m) == expected + m.head.weight.numel() * 4
    assert tensor_bytes(torch.zeros(10, dtype=torch.bfloat16)) == 20
    assert model_bytes(7_000_000_000, 4) == 3_500_000_000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q = torch.ao.quantization.quantize_dynamic(m, {"blocks"}, dtype=torch.qint8)
    ratio = linear_weight_bytes(m, skip=("head",)) / linear_weight_bytes(q, skip=("head",))
    assert 3.9 < ratio <= 4.0
    assert serialized_bytes(q) < serialized_bytes(m)


@pytest.mark.parametrize("bits, group", [(8, None), (4, None), (4, 8), (3, 4), (2, 16)])
def test_fake_quantize_equals_torch_fake_quantize(bits, group):
    """Round-to-nearest at `bits` bits, one scale per group, against torch's own fake-quantize op."""
    from bigmodel_lib.quantize import fake_quantize
    w = torch.randn(6, 32)
    w[2, 5] = 9.0                                          # an outlier inside one group
    g = 32 if group is None else group
    qmax = 2 ** (bits - 1) - 1
    groups = w.reshape(-1, g)
    scale = groups.abs().amax(1) / qmax
    ref = torch.fake_quantize_per_channel_affine(groups, scale, torch.zeros(len(scale), dtype=torch.int32), 0,
                                                 -qmax, qmax).reshape(w.shape)
    assert torch.allclose(fake_quantize(w, bits, group), ref, atol=1e-6)


def test_fake_quantize_smaller_groups_are_more_accurate():
    from bigmodel_lib.quantize import fake_quantize
    w = torch.randn(16, 256) * torch.rand(16, 256).pow(4) * 10   # uneven local ranges
    errs = [float((w - fake_quantize(w, 3, gs)).norm()) for gs in (None, 64, 16)]
    assert errs[0] > errs[1] > errs[2]
