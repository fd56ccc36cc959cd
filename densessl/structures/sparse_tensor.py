from dataclasses import dataclass, field
from typing import Dict

import torch


@dataclass
class SparseTensor:
    """Features on occupied voxels: ``feats`` (``N x C``) at integer
    ``coords`` (``N x 4``: batch, x, y, z, in units of the finest grid, so a
    site at ``stride`` s has coordinates that are multiples of s, as in
    MinkowskiEngine). ``cache`` shares kernel maps between layers of one
    forward pass."""

    feats: torch.Tensor
    coords: torch.Tensor
    stride: int = 1
    cache: Dict = field(default_factory=dict)

    def replace(self, feats: torch.Tensor) -> 'SparseTensor':
        """Same sites, new features (for BN, activations, residuals)."""
        return SparseTensor(feats, self.coords, self.stride, self.cache)


def sparse_cat(a: SparseTensor, b: SparseTensor) -> SparseTensor:
    """Channel concatenation of two tensors on the same sites (U-Net skips)."""
    if a.stride != b.stride or len(a.coords) != len(b.coords):
        raise ValueError('skip connection between different site sets: '
                         f'stride {a.stride} vs {b.stride}, '
                         f'{len(a.coords)} vs {len(b.coords)} sites')
    return a.replace(torch.cat([a.feats, b.feats], 1))
