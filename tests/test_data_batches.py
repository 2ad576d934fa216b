"""Batches and scores from bigmodel_lib.data mean what their docstrings say (issue 12, items 6 and 8)."""
import pytest
import torch

from bigmodel_lib.data import EOS, PAD, LMData, exact_match


def test_lm_batches_reach_the_last_valid_window():
    """A split of block_size + 2 tokens has exactly two windows (starting at 0 and 1): both are drawn."""
    block = 4
    tokens = torch.arange(60)                        # train split: the first 54 tokens
    data = LMData(tokens, block_size=block, batch_size=1024, val_fraction=0.1)
    train = data.splits["train"]
    g = torch.Generator().manual_seed(0)
    x, y = data.get_batch("train", g)
    starts = set(x[:, 0].tolist())
    assert max(starts) == len(train) - block - 1, "the last window (ending at the split's last token) is never drawn"
    assert min(starts) == 0
    assert int(y.max()) == int(train[-1])            # the last token of the split is a target
    assert torch.equal(y[:, :-1], x[:, 1:])


def test_a_split_with_exactly_one_window_works():
    tokens = torch.arange(50)
    data = LMData(tokens, block_size=4, batch_size=8, val_fraction=0.1)   # val: 5 tokens = one window
    x, y = data.get_batch("val", torch.Generator().manual_seed(0))
    assert torch.equal(x, tokens[45:49].expand(8, -1)) and torch.equal(y, tokens[46:50].expand(8, -1))


def test_exact_match_compares_up_to_and_including_eos():
    tgt = torch.tensor([[5, 6, EOS, PAD], [7, EOS, PAD, PAD], [5, 6, EOS, PAD]])
    pred = torch.tensor([[5, 6, EOS, 9],             # anything after EOS does not count
                         [7, EOS, PAD, PAD],
                         [5, 6, 6, EOS]])            # wrong: EOS missing at position 2
    assert exact_match(pred, tgt) == pytest.approx(2 / 3)
    assert exact_match(torch.tensor([[5, 6]]), tgt[:1]) == 0.0            # stopped before EOS
    assert exact_match(torch.tensor([[5, 6, EOS]]), tgt[:1]) == 1.0       # shorter, padded with PAD
    assert exact_match(torch.tensor([[5, 7, EOS]]), tgt[:1]) == 0.0
    no_eos = torch.tensor([[5, 6, 7]])                                    # a target without EOS: whole row
    assert exact_match(no_eos, no_eos) == 1.0 and exact_match(torch.tensor([[5, 6, 8]]), no_eos) == 0.0
