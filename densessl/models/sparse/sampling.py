"""Read a sparse feature map at arbitrary voxels of the finest grid: the
multi-resolution feature sampling of the Masked Scene Modeling protocol
(Hermosilla et al., CVPR 2025), without densifying the scene.

Each level is treated as a dense grid whose empty voxels hold zeros, exactly
as MSM densifies it before ``grid_sample``; only the 8 (trilinear) or 1
(nearest) voxels around each query are looked up in the level's hash table.
"""
import itertools

import torch

from densessl.structures.sparse_tensor import SparseTensor
from .builtin import lookup

MODES = ('trilinear', 'nearest')


def _gather(level: SparseTensor, batch: torch.Tensor,
            voxel: torch.Tensor) -> torch.Tensor:
    """Features of the level voxels with integer index ``voxel`` (in units of
    the level's stride), zeros where a voxel is empty."""
    query = torch.cat([batch[:, None], voxel * level.stride], 1)
    rows, found = lookup(level.coords, query)
    out = level.feats[rows]
    return out * found[:, None].to(out.dtype)


def sample_sparse(level: SparseTensor, query: torch.Tensor,
                  mode: str = 'trilinear',
                  align_corners: bool = False) -> torch.Tensor:
    """Features of ``level`` at the finest-grid voxels ``query`` (``M x 4``:
    batch, x, y, z, the ``grid_coord`` of each point), ``M x C``.

    * ``'trilinear'`` (MSM's default): the query voxel's centre, ``(c +
      0.5) / stride`` in level voxels, is interpolated between the 8 level
      voxels around it; with ``align_corners=False`` a level voxel's value
      sits at its own centre (the geometric reading of "trilinear
      upsampling", the default). ``align_corners=True`` reproduces MSM's code
      (``grid_sample(align_corners=True)`` on coordinates normalised by the
      dense shape), which scales the position by ``(D - 1) / D``, ``D`` the
      level's dense size per axis (the batch's extent, as spconv's spatial
      shape).
    * ``'nearest'``: the level voxel containing the query (integer division
      by the stride, MSM's alternative mode).
    """
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got "{mode}"')
    query = query.long()
    batch, fine = query[:, 0], query[:, 1:]
    stride = level.stride
    if mode == 'nearest':
        return _gather(level, batch, torch.div(fine, stride,
                                               rounding_mode='floor'))
    position = (fine.double() + 0.5) / stride
    if align_corners:
        extent = torch.cat([level.coords[:, 1:], fine]).max(0).values + 1
        dense = torch.div(extent + stride - 1, stride, rounding_mode='floor')
        position = position * (dense - 1) / dense
    else:
        position = position - 0.5
    base = position.floor()
    frac = (position - base).to(level.feats.dtype)
    base = base.long()
    out = level.feats.new_zeros(len(query), level.feats.shape[1])
    for corner in itertools.product((0, 1), repeat=3):
        offset = torch.tensor(corner, device=query.device)
        weight = torch.where(offset.bool(), frac, 1 - frac).prod(1)
        out += weight[:, None] * _gather(level, batch, base + offset)
    return out


def sample_levels(levels, query: torch.Tensor, mode: str = 'trilinear',
                  align_corners: bool = False) -> torch.Tensor:
    """Every level sampled at ``query`` and concatenated in the given order
    (``M x sum(C)``), as MSM's per-point feature."""
    return torch.cat([sample_sparse(level, query, mode, align_corners)
                      for level in levels], 1)
