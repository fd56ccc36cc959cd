"""A batch of point clouds as one dict of concatenated per-point tensors
(Pointcept's convention: ``offset`` = cumulative point counts)."""
from typing import Dict, List

import torch

from .sparse_tensor import SparseTensor

PointBatch = Dict[str, torch.Tensor]


def collate_points(view: Dict[str, List[torch.Tensor]]) -> PointBatch:
    """Concatenate per-cloud arrays (Pointcept's convention): ``offset`` holds
    the cumulative point counts, ``batch`` each point's cloud index;
    ``inverse`` is shifted to index the concatenated voxels, and
    ``full_offset`` counts the points before voxelisation."""
    sizes = [len(c) for c in view['coord']]
    if min(sizes) == 0:
        raise ValueError('a point cloud of the batch is empty after its '
                         'transforms (e.g. a crop or voxelisation removed '
                         'every point); check the pipeline')
    out = {}
    for key, values in view.items():
        if key == 'inverse':  # indices into each cloud's own kept points
            shift = [0] + sizes[:-1]
            base = torch.tensor(shift).cumsum(0).tolist()
            values = [v + b for v, b in zip(values, base)]
        out[key] = torch.cat(list(values))
    out['offset'] = torch.tensor(sizes).cumsum(0)
    if 'inverse' in view:  # the clouds before voxelisation
        out['full_offset'] = torch.tensor(
            [len(v) for v in view['inverse']]).cumsum(0)
    out['batch'] = torch.repeat_interleave(torch.arange(len(sizes)),
                                           torch.tensor(sizes))
    return out


def to_sparse_tensor(points: PointBatch) -> SparseTensor:
    """The voxels of a point batch as a :class:`SparseTensor` (coordinates
    ``batch, x, y, z``)."""
    coords = torch.cat([points['batch'][:, None], points['grid_coord']], 1)
    return SparseTensor(points['feat'].float(), coords.long())


def split_by_offset(values: torch.Tensor, offset: torch.Tensor
                    ) -> List[torch.Tensor]:
    """The rows of a batched point tensor, cloud by cloud (Pointcept's
    cumulative ``offset``)."""
    starts = [0] + offset[:-1].tolist()
    return [values[a:b] for a, b in zip(starts, offset.tolist())]
