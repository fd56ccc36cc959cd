"""Sparse 3D convolution with pluggable backends and a MinkUNet on top."""
from densessl.structures.sparse_tensor import SparseTensor, sparse_cat
from .builtin import hash_coords, kernel_map, sparse_conv
from .layers import SparseBatchNorm, SparseConv3d, SparseReLU

__all__ = ['SparseTensor', 'sparse_cat', 'hash_coords', 'kernel_map',
           'sparse_conv', 'SparseConv3d', 'SparseBatchNorm', 'SparseReLU']
