"""Pure-PyTorch point-cloud operators that replace Point-MAE's CUDA
extensions (pointnet2_ops FPS, KNN_CUDA, the chamfer extension), batched and
device-agnostic."""
from typing import Tuple

import torch


def farthest_point_sample(xyz: torch.Tensor, num_samples: int,
                          skip_near_origin: bool = True) -> torch.Tensor:
    """Indices ``B x num_samples`` of farthest point sampling of ``B x N x 3``.

    Matches ``pointnet2_ops.furthest_point_sample``: the first index is always
    0; the running distance starts at 1e10; with ``skip_near_origin`` points
    with ``|p|^2 <= 1e-3`` are never selected (the CUDA kernel skips them),
    unless every remaining point is such a point.
    """
    batch, num_points, _ = xyz.shape
    if num_samples > num_points:
        raise ValueError(f'cannot sample {num_samples} points from a cloud '
                         f'of {num_points}')
    xyz = xyz.float()
    index = torch.zeros(batch, num_samples, dtype=torch.long,
                        device=xyz.device)
    distance = torch.full((batch, num_points), 1e10, device=xyz.device)
    if skip_near_origin:
        near_origin = (xyz**2).sum(-1) <= 1e-3
    rows = torch.arange(batch, device=xyz.device)
    last = torch.zeros(batch, dtype=torch.long, device=xyz.device)
    for i in range(1, num_samples):
        d = ((xyz - xyz[rows, last][:, None])**2).sum(-1)
        distance = torch.minimum(distance, d)
        candidates = distance
        if skip_near_origin:
            # the kernel leaves skipped points out of the argmax (best = 0)
            candidates = distance.masked_fill(near_origin, -1.0)
        last = candidates.argmax(1)
        index[:, i] = last
    return index


def gather_points(xyz: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``xyz[b, index[b, ...]]`` for ``B x N x C`` and ``B x ...`` indices."""
    batch = torch.arange(xyz.shape[0], device=xyz.device).view(
        -1, *([1] * (index.dim() - 1)))
    return xyz[batch, index]


def knn_indices(query: torch.Tensor, xyz: torch.Tensor,
                k: int) -> torch.Tensor:
    """Indices ``B x M x k`` of the ``k`` nearest points of ``xyz`` (``B x N x
    3``) to each ``query`` point (``B x M x 3``); a query that is a point of
    the cloud finds itself (distance 0) among them."""
    if k > xyz.shape[1]:
        raise ValueError(f'k = {k} neighbours requested from {xyz.shape[1]} '
                         'points')
    d = ((query[:, :, None] - xyz[:, None])**2).sum(-1)
    return d.topk(k, dim=-1, largest=False).indices


def group_points(xyz: torch.Tensor, num_groups: int,
                 group_size: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Point-MAE grouping: FPS centres and their KNN neighbourhoods relative
    to the centre. Returns ``neighborhood`` (``B x G x K x 3``) and ``center``
    (``B x G x 3``)."""
    center = gather_points(xyz, farthest_point_sample(xyz, num_groups))
    index = knn_indices(center, xyz, group_size)
    neighborhood = gather_points(xyz, index) - center[:, :, None]
    return neighborhood, center


def chamfer_l2(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Point-MAE's ``ChamferDistanceL2`` over sets ``S x P x 3`` / ``S x Q x 3``:
    mean over all points of the squared distance to the nearest point of the
    other set, both directions **summed** (not halved, no square root, so the
    gradient stays finite at zero distance)."""
    d = ((pred[:, :, None] - target[:, None])**2).sum(-1)
    return d.min(2).values.mean() + d.min(1).values.mean()


def propagate_features(xyz: torch.Tensor, center: torch.Tensor,
                       feats: torch.Tensor, k: int = 3) -> torch.Tensor:
    """Per-point features ``B x N x C`` from per-group ``feats`` (``B x G x C``
    at ``center``): inverse squared-distance weighted mean over the ``k``
    nearest centres (PointNet++ feature propagation, as Point-MAE's part
    segmentation)."""
    k = min(k, center.shape[1])
    d = ((xyz[:, :, None] - center[:, None])**2).sum(-1)
    dist, index = d.topk(k, dim=-1, largest=False)
    weight = 1.0 / (dist + 1e-8)
    weight = weight / weight.sum(-1, keepdim=True)
    return (gather_points(feats, index) * weight[..., None]).sum(2)
