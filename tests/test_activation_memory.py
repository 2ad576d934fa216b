"""compute.activation_bytes against what autograd really keeps for the library's GPT, with and without dropout.

The measurement is compute.saved_activation_bytes (every distinct tensor autograd saves for backward); the
estimate must count the same things, so dropout's masks and the unfused attention path are checked here.
"""
import pytest
import torch

from bigmodel_lib import compute
from bigmodel_lib.models import GPT, GPTConfig

SHAPES = [(32, 8, 64, 4, 2), (64, 4, 64, 2, 3), (16, 8, 32, 4, 1), (48, 3, 96, 2, 1)]   # s, b, h, a, layers


def _measure(s, b, h, a, n_layer, dropout):
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=65, block_size=s, n_layer=n_layer, n_head=a, d_model=h, dropout=dropout))
    model.train()
    x, y = torch.randint(0, 65, (b, s)), torch.randint(0, 65, (b, s))
    return model, compute.saved_activation_bytes(lambda: model(x, y), exclude=model)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "s{}-b{}-h{}-a{}-L{}".format(*s))
def test_estimate_matches_measurement_without_dropout(shape):
    model, measured = _measure(*shape, dropout=0.0)
    est = compute.gpt_training_memory(model, shape[1])["activations"]
    assert abs(measured / est - 1) < 0.02, (measured, est)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "s{}-b{}-h{}-a{}-L{}".format(*s))
def test_estimate_counts_the_models_dropout(shape):
    """With dropout the model keeps a mask per dropout (embeddings, feed-forward, both residual branches) and, on
    a CPU, attention leaves the fused kernel; the estimate must count all of it."""
    model, measured = _measure(*shape, dropout=0.1)
    est = compute.gpt_training_memory(model, shape[1], fused_attention=False)["activations"]
    assert abs(measured / est - 1) < 0.02, (measured, est)
    # the count without dropout is far off: the masks matter (this is what the old estimate missed)
    no_masks = compute.gpt_training_memory(model, shape[1], fused_attention=False, dropout=False)["activations"]
    assert measured / no_masks > 1.15


def test_one_byte_masks_shrink_the_dropout_term():
    four = compute.activation_bytes(8, 32, 64, 2, 4, dropout=True, fused_attention=False)["total"]
    one = compute.activation_bytes(8, 32, 64, 2, 4, dropout=True, fused_attention=False, mask_bytes=1)["total"]
    none = compute.activation_bytes(8, 32, 64, 2, 4, dropout=False, fused_attention=False)["total"]
    assert none < one < four
    with pytest.raises(ValueError, match="mask_bytes"):
        compute.activation_bytes(8, 32, 64, 2, 4, dropout=True, mask_bytes=0)
