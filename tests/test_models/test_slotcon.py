"""SlotCon pieces against independent numpy re-derivations of the official
formulas, plus invariants."""
import random

import numpy as np
import pytest
import torch

from densessl.models.heads import SlotConHead
from densessl.models.losses import group_loss, slot_presence
from densessl.ops import align_to_overlap, overlap_in_view_frames


def pixpro_box(j, i, w, h, width, height, flipped=False):
    box = [j / (width - 1), i / (height - 1), (j + w - 1) / (width - 1),
           (i + h - 1) / (height - 1)]
    if flipped:
        box[0], box[2] = box[2], box[0]
    return box


def np_clip_coords(crop, other, flipped):
    """Official `_clip_coords` + flip mirror, on (j, i, j+w, i+h) boxes."""
    ix1, iy1 = max(crop[0], other[0]), max(crop[1], other[1])
    ix2, iy2 = min(crop[2], other[2]), min(crop[3], other[3])
    w, h = crop[2] - crop[0], crop[3] - crop[1]
    out = [(ix1 - crop[0]) / w, (iy1 - crop[1]) / h, (ix2 - crop[0]) / w,
           (iy2 - crop[1]) / h]
    if flipped:
        out = [1 - out[2], out[1], 1 - out[0], out[3]]
    return out


@pytest.mark.parametrize('flip_a, flip_b', [(False, False), (True, False),
                                            (False, True), (True, True)])
def test_overlap_boxes_match_official_clip_coords(flip_a, flip_b):
    height, width = 50, 80
    a, b = (5, 10, 40, 30), (20, 3, 50, 35)  # (j, i, w, h)
    boxes_a = torch.tensor([pixpro_box(*a, width, height, flip_a)],
                           dtype=torch.float64)
    boxes_b = torch.tensor([pixpro_box(*b, width, height, flip_b)],
                           dtype=torch.float64)
    got_a, got_b = overlap_in_view_frames(boxes_a, boxes_b,
                                          torch.tensor([[height, width]]))
    edge_a = (a[0], a[1], a[0] + a[2], a[1] + a[3])
    edge_b = (b[0], b[1], b[0] + b[2], b[1] + b[3])
    assert np.allclose(got_a[0].numpy(), np_clip_coords(edge_a, edge_b,
                                                        flip_a))
    assert np.allclose(got_b[0].numpy(), np_clip_coords(edge_b, edge_a,
                                                        flip_b))


def np_align(score, box, flipped):
    """One bilinear sample per bin at p = x1*W - 0.5 + (j + 0.5)(x2 - x1)
    (border clamped), then un-flip; empty boxes give zeros."""
    k, h, w = score.shape
    x1, y1, x2, y2 = box[0] * w, box[1] * h, box[2] * w, box[3] * h
    out = np.zeros_like(score)
    if x2 > x1 and y2 > y1:
        bw, bh = (x2 - x1) / w, (y2 - y1) / h
        for r in range(h):
            for c in range(w):
                py = min(max(y1 - 0.5 + (r + 0.5) * bh, 0), h - 1)
                px = min(max(x1 - 0.5 + (c + 0.5) * bw, 0), w - 1)
                y0, x0 = int(np.floor(py)), int(np.floor(px))
                y1_, x1_ = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
                ly, lx = py - y0, px - x0
                out[:, r, c] = (score[:, y0, x0] * (1 - ly) * (1 - lx) +
                                score[:, y0, x1_] * (1 - ly) * lx +
                                score[:, y1_, x0] * ly * (1 - lx) +
                                score[:, y1_, x1_] * ly * lx)
    return out[:, :, ::-1] if flipped else out


def test_align_to_overlap_matches_bilinear_rederivation():
    rng = np.random.default_rng(0)
    score = rng.normal(size=(3, 2, 5, 6))
    boxes = np.array([[0.2, 0.1, 0.9, 0.8], [0.0, 0.3, 0.5, 1.0],
                      [0.6, 0.5, 0.2, 0.9]])  # the last one: no overlap
    flips = np.array([False, True, False])
    got = align_to_overlap(torch.tensor(score), torch.tensor(boxes),
                           torch.tensor(flips)).numpy()
    for n in range(3):
        assert np.allclose(got[n], np_align(score[n], boxes[n], flips[n]),
                           atol=1e-6)
    assert (got[2] == 0).all()


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


def test_conditioned_crop_overlaps_reference():
    from densessl.datasets.transforms import MultiView
    from densessl.datasets.transforms.geometric import _intersection_area
    random.seed(0)
    img = np.zeros((100, 100, 3), np.uint8)
    first = dict(type='RandomResizedCropCoord', size=16, scale=(0.1, 0.15))

    def overlap_rate(min_overlap):
        second = dict(type='RandomResizedCropCoord', size=16,
                      scale=(0.1, 0.15), min_overlap=min_overlap)
        hits = 0
        for _ in range(200):
            views = MultiView([[first], [second]], num_views=[1, 1])(
                dict(img=img))['views']
            boxes = [[v * 99 for v in view['crop_box']] for view in views]
            edges = [(b[0], b[1], b[2] + 1, b[3] + 1) for b in boxes]
            area = (edges[1][2] - edges[1][0]) * (edges[1][3] - edges[1][1])
            hits += _intersection_area(edges[0], edges[1]) >= 0.01 * area
        return hits / 200

    conditioned, independent = overlap_rate(0.01), overlap_rate(None)
    # one draw overlaps ~60% of the time; ten draws almost always
    assert conditioned > 0.95 and independent < 0.8
