"""View geometry (SlotCon's overlap boxes and their alignment) against
re-derivations of the official code."""
import numpy as np
import pytest
import torch

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
