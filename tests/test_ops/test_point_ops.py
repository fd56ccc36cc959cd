"""The point ops against independent numpy re-derivations of the official
CUDA kernels (pointnet2_ops FPS, KNN_CUDA, the chamfer extension)."""
import numpy as np
import pytest
import torch

from densessl.ops import (chamfer_l2, farthest_point_sample, group_points,
                          knn_indices)


def fps_reference(points, m):
    """pointnet2_ops' kernel, one cloud, sequentially: start 0, temp = 1e10,
    skip |p|^2 <= 1e-3, argmax with best = -1."""
    n = len(points)
    temp = np.full(n, 1e10)
    out = [0]
    for _ in range(1, m):
        last = points[out[-1]]
        best, besti = -1.0, 0
        for k in range(n):
            if (points[k]**2).sum() <= 1e-3:
                continue
            d = min(((points[k] - last)**2).sum(), temp[k])
            temp[k] = d
            if d > best:
                best, besti = d, k
        out.append(besti)
    return out


def test_fps_equals_the_cuda_kernel_semantics():
    rng = np.random.default_rng(0)
    clouds = rng.normal(size=(3, 50, 3)).astype(np.float32)
    clouds[1, 7] = 0.01  # near the origin: never picked
    got = farthest_point_sample(torch.tensor(clouds), 12)
    for b in range(3):
        assert got[b].tolist() == fps_reference(clouds[b], 12)
    assert 7 not in got[1].tolist()
    # the documented check: textbook FPS picks the origin point 2 third
    pts = torch.tensor([[1., 1, 1], [-1, -1, -1], [0, 0, 0], [.5, .5, .5]])
    assert farthest_point_sample(pts[None], 3)[0].tolist() == [0, 1, 3]
    assert farthest_point_sample(pts[None], 3, skip_near_origin=False)[
        0].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match='cannot sample'):
        farthest_point_sample(pts[None], 5)


def test_knn_and_grouping():
    rng = np.random.default_rng(1)
    xyz = rng.normal(size=(2, 40, 3)).astype(np.float32)
    query = xyz[:, :5]
    got = knn_indices(torch.tensor(query), torch.tensor(xyz), 6)
    for b in range(2):
        for i in range(5):
            d = ((xyz[b] - query[b, i])**2).sum(1)
            assert set(got[b, i].tolist()) == set(np.argsort(d)[:6].tolist())
            assert i in got[b, i].tolist()  # the centre is its own neighbour
    neighborhood, center = group_points(torch.tensor(xyz), 8, 4)
    assert neighborhood.shape == (2, 8, 4, 3) and center.shape == (2, 8, 3)
    # relative coordinates: the centre itself appears as (0, 0, 0)
    assert (neighborhood.abs().sum(-1) == 0).any(-1).all()


def test_chamfer_l2_equals_numpy_and_has_finite_gradient_at_zero():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(4, 7, 3))
    b = rng.normal(size=(4, 5, 3))
    d = ((a[:, :, None] - b[:, None])**2).sum(-1)
    expected = d.min(2).mean() + d.min(1).mean()  # summed, not halved
    got = chamfer_l2(torch.tensor(a), torch.tensor(b))
    assert got.item() == pytest.approx(expected, rel=1e-10)
    pred = torch.tensor(b, requires_grad=True)
    loss = chamfer_l2(pred, torch.tensor(b))
    loss.backward()
    assert loss.item() == 0 and torch.isfinite(pred.grad).all()
    assert pred.grad.abs().max() == 0
