"""SlotCon's group loss and slot presence against independent numpy
re-derivations of the official formulas (its view geometry: tests/test_ops;
its conditioned crop: tests/test_datasets)."""
import numpy as np
import pytest
import torch

from densessl.models.losses import group_loss, slot_presence


def np_group_loss(s, t, c, ts, tt):
    lp = s / ts - np.log(np.exp(s / ts).sum(axis=1, keepdims=True))
    e = np.exp((t - c[:, :, None, None]) / tt)
    pt = e / e.sum(axis=1, keepdims=True)
    return float(-(pt * lp).sum(axis=1).mean())


def test_group_loss_matches_numpy():
    rng = np.random.default_rng(1)
    s, t = rng.uniform(-1, 1, (2, 2, 4, 3, 3))
    c = rng.normal(size=(1, 4)) * 0.1
    got = group_loss(torch.tensor(s), torch.tensor(t), torch.tensor(c))
    assert float(got) == pytest.approx(np_group_loss(s, t, c, 0.1, 0.07),
                                       abs=1e-10)


def test_slot_presence_is_argmax_winners():
    scores = torch.zeros(2, 4, 2, 2)
    scores[0, 1] = 1.0
    scores[0, 3, 0, 0] = 2.0
    scores[1, 2] = 1.0
    expected = torch.tensor([[False, True, False, True],
                             [False, False, True, False]])
    assert torch.equal(slot_presence(scores), expected)
