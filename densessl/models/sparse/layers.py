"""Sparse layers written once against :class:`SparseTensor`; the convolution
runs on a selectable backend."""
import math

import torch
from torch import nn

from .builtin import sparse_conv
from densessl.structures.sparse_tensor import SparseTensor

BACKENDS = ('builtin', 'spconv', 'minkowski')


class SparseConv3d(nn.Module):
    """Sparse convolution, weight ``K^3 x C_in x C_out`` (MinkowskiEngine's
    layout), no bias by default (it is followed by BN in the U-Net).

    ``stride == 1`` is submanifold; ``stride > 1`` downsamples; ``transposed``
    upsamples onto the finer sites given to :meth:`forward`.
    ``backend='spconv'`` runs spconv (installed separately; forward only on
    CPU, see the README) and ``backend='minkowski'`` MinkowskiEngine
    (``bash tools/install_minkowski.sh``; forward and backward) with the
    same weights."""

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: int = 3, stride: int = 1, dilation: int = 1,
                 transposed: bool = False, bias: bool = False,
                 backend: str = 'builtin') -> None:
        super().__init__()
        if backend not in BACKENDS:
            raise ValueError(f'backend must be one of {BACKENDS}, got '
                             f'"{backend}"')
        self.kernel_size = kernel_size
        self.stride = stride
        self.dilation = dilation
        self.transposed = transposed
        self.backend = backend
        volume = kernel_size**3
        self.weight = nn.Parameter(torch.empty(volume, in_channels,
                                               out_channels))
        bound = 1 / math.sqrt(in_channels * volume)
        nn.init.uniform_(self.weight, -bound, bound)
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

    def forward(self, x: SparseTensor, out_coords=None) -> SparseTensor:
        if self.backend == 'spconv':
            from .spconv_backend import spconv_conv
            out = spconv_conv(self, x, out_coords)
        elif self.backend == 'minkowski':
            from .minkowski_backend import minkowski_conv
            out = minkowski_conv(self, x, out_coords)
        else:
            out = sparse_conv(x, self.weight, self.kernel_size, self.stride,
                              self.dilation, self.transposed, out_coords)
        if self.bias is not None:
            out = out.replace(out.feats + self.bias)
        return out


class SparseBatchNorm(nn.BatchNorm1d):
    def forward(self, x: SparseTensor) -> SparseTensor:
        return x.replace(super().forward(x.feats))


class SparseReLU(nn.ReLU):
    def forward(self, x: SparseTensor) -> SparseTensor:
        return x.replace(super().forward(x.feats))
