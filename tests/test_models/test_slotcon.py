"""SlotCon's losses and head against independent numpy re-derivations of
the official formulas, plus invariants (its view geometry: tests/test_ops;
its conditioned crop: tests/test_datasets)."""
import numpy as np
import pytest
import torch

from densessl.models.heads import SlotConHead
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


def test_slot_contrast_matches_numpy_with_filtered_keys():
    torch.manual_seed(0)
    b, k, c = 3, 5, 4
    head = SlotConHead(
        grouping=dict(type='SemanticGrouping', num_prototypes=k, dim=c),
        predictor=dict(type='MLPHead', in_channels=c, out_channels=c,
                       num_layers=1)).double()
    q_slots = torch.randn(b, k, c, dtype=torch.float64)
    k_slots = torch.randn(b, k, c, dtype=torch.float64)
    q_dots = torch.randn(b, k, 2, 2, dtype=torch.float64)
    k_dots = torch.randn(b, k, 2, 2, dtype=torch.float64)
    got = head.slot_contrast(q_slots, q_dots, k_slots, k_dots)

    mq = slot_presence(q_dots).flatten().numpy()
    mk = slot_presence(k_dots).flatten().numpy()
    w = head.predictor.mlp[0].weight.detach().numpy()
    bias = head.predictor.mlp[0].bias.detach().numpy()
    qs = q_slots.reshape(-1, c).numpy()
    ks = k_slots.reshape(-1, c).numpy()
    ks = ks / np.linalg.norm(ks, axis=1, keepdims=True)
    valid_keys = np.flatnonzero(mk)
    losses = []
    for idx in np.flatnonzero(mq & mk):
        y = w @ qs[idx] + bias
        y = y / np.linalg.norm(y)
        logits = ks[valid_keys] @ y / 0.2
        label = list(valid_keys).index(idx)  # same slot, other view
        losses.append(np.log(np.exp(logits).sum()) - logits[label])
    assert len(losses) >= 2
    assert float(got) == pytest.approx(0.4 * np.mean(losses), abs=1e-10)


def test_slot_contrast_without_common_slots_is_zero_not_nan():
    head = SlotConHead(
        grouping=dict(type='SemanticGrouping', num_prototypes=4, dim=3),
        predictor=dict(type='MLPHead', in_channels=3, hid_channels=8,
                       out_channels=3))
    q_dots = torch.zeros(1, 4, 2, 2)
    q_dots[0, 0] = 1.0
    k_dots = torch.zeros(1, 4, 2, 2)
    k_dots[0, 1] = 1.0
    slots = torch.randn(1, 4, 3, requires_grad=True)
    loss = head.slot_contrast(slots, q_dots, torch.randn(1, 4, 3), k_dots)
    assert float(loss) == 0.0
    loss.backward()
    assert torch.isfinite(slots.grad).all()


def test_center_update_is_ema_of_teacher_mean():
    head = SlotConHead(
        grouping=dict(type='SemanticGrouping', num_prototypes=3, dim=2),
        predictor=dict(type='MLPHead', in_channels=2, out_channels=2,
                       num_layers=1))
    head.center.fill_(1.0)
    d1, d2 = torch.rand(2, 3, 2, 2), torch.rand(2, 3, 2, 2)
    head.update_center([d1, d2])
    mean = torch.cat([d1, d2]).mean(dim=(0, 2, 3))
    assert torch.allclose(head.center[0], 0.9 + 0.1 * mean)
