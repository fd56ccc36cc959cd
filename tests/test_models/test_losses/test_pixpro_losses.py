"""PixPro's positive mask and pixel regression loss against independent numpy
re-derivations of the official formulas."""
import numpy as np
import pytest
import torch

from densessl.models.losses import pixpro_positive_mask, pixpro_regression_loss


def np_mask(box_a, box_b, h, w, t=0.7):
    """Straight from the method facts: bin centres (idx + 0.5) * bin + start,
    distance / max(diag_a, diag_b) < t."""
    def centres(box):
        x1, y1, x2, y2 = box
        bw, bh = (x2 - x1) / w, (y2 - y1) / h
        pts = [((c + 0.5) * bw + x1, (r + 0.5) * bh + y1)
               for r in range(h) for c in range(w)]
        return np.array(pts), np.hypot(bw, bh)
    ca, da = centres(box_a)
    cb, db = centres(box_b)
    dist = np.linalg.norm(ca[:, None] - cb[None], axis=2) / max(da, db)
    return (dist < t).astype(np.float64)


BOXES = [
    ([0.1, 0.2, 0.7, 0.9], [0.3, 0.1, 0.95, 0.6]),   # overlapping
    ([0.6, 0.2, 0.1, 0.9], [0.3, 0.1, 0.95, 0.6]),   # view a flipped
    ([0.0, 0.0, 0.3, 0.3], [0.6, 0.6, 1.0, 1.0]),    # no overlap
]


@pytest.mark.parametrize('box_a, box_b', BOXES)
def test_positive_mask_matches_numpy(box_a, box_b):
    got = pixpro_positive_mask(torch.tensor([box_a]), torch.tensor([box_b]),
                               4, 5)[0]
    assert np.array_equal(got.numpy(), np_mask(box_a, box_b, 4, 5))


def test_identical_views_give_only_diagonal_positives():
    box = torch.tensor([[0.1, 0.1, 0.9, 0.9]])
    mask = pixpro_positive_mask(box, box, 7, 7)[0]
    assert torch.equal(mask, torch.eye(49))


def test_regression_loss_matches_numpy_and_handles_no_overlap():
    rng = np.random.default_rng(0)
    n, c, h, w = 3, 4, 2, 3
    pred = rng.normal(size=(n, c, h, w))
    target = rng.normal(size=(n, c, h, w))
    boxes_a = torch.tensor([b[0] for b in BOXES], dtype=torch.float64)
    boxes_b = torch.tensor([b[1] for b in BOXES], dtype=torch.float64)
    mask = pixpro_positive_mask(boxes_a, boxes_b, h, w).double()
    per_image = []
    for i in range(n):
        p = pred[i].reshape(c, -1)
        t = target[i].reshape(c, -1)
        p = p / np.linalg.norm(p, axis=0)
        t = t / np.linalg.norm(t, axis=0)
        m = np_mask(BOXES[i][0], BOXES[i][1], h, w)
        per_image.append((p.T @ t * m).sum() / (m.sum() + 1e-6))
    expected = -2 * np.mean(per_image)  # the no-overlap image counts as 0
    assert per_image[2] == 0
    got = pixpro_regression_loss(torch.tensor(pred), torch.tensor(target),
                                 mask)
    assert float(got) == pytest.approx(expected, abs=1e-10)
