"""SlotConHead: the slot contrast against a numpy re-derivation of the
official formula, and the centre update."""
import numpy as np
import pytest
import torch

from densessl.models.heads import SlotConHead
from densessl.models.losses import slot_presence


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
