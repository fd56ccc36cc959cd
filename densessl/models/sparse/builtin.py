"""The built-in pure-PyTorch sparse convolution backend: voxel hashing, kernel
maps, gather - matmul - scatter. Forward and backward on CPU and GPU (plain
autograd through ``index_add_``)."""
import itertools
from typing import Dict, Tuple

import torch

from densessl.structures.sparse_tensor import SparseTensor

_SHIFT = 1 << 15  # voxel coordinates must lie in [-2^15, 2^15)
_RANGE = 1 << 16  # 3 x 16 bits + the batch index fit in an int64


def hash_coords(coords: torch.Tensor) -> torch.Tensor:
    """One int64 key per ``(batch, x, y, z)`` row, increasing in
    lexicographic order."""
    c = coords.long()
    if len(c) and (c[:, 1:].min() < -_SHIFT or c[:, 1:].max() >= _SHIFT):
        raise ValueError(
            'voxel coordinates must lie in [-32768, 32767]; got '
            f'{int(c[:, 1:].min())}..{int(c[:, 1:].max())}. Use a coarser '
            'grid_size or crop the scene.')
    return ((c[:, 0] * _RANGE + c[:, 1] + _SHIFT) * _RANGE
            + c[:, 2] + _SHIFT) * _RANGE + c[:, 3] + _SHIFT


def lookup(table_coords: torch.Tensor, query: torch.Tensor
           ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Row index in ``table_coords`` of each ``query`` row, and whether it was
    found (searchsorted over sorted hash keys)."""
    keys = hash_coords(table_coords)
    sorted_keys, order = keys.sort()
    q = hash_coords(query)
    pos = torch.searchsorted(sorted_keys, q).clamp(max=len(keys) - 1)
    found = sorted_keys[pos] == q
    return order[pos], found


def kernel_offsets(kernel_size: int, dilation: int, device) -> torch.Tensor:
    """``K^3 x 3`` offsets, x slowest (the weight's first axis), centred for
    odd kernels and ``0..k-1`` for even (strided) ones."""
    start = -(kernel_size // 2) if kernel_size % 2 else 0
    r = range(start, start + kernel_size)
    return torch.tensor(list(itertools.product(r, r, r)), device=device,
                        dtype=torch.long) * dilation


def downsample_coords(coords: torch.Tensor, tensor_stride: int,
                      stride: int) -> torch.Tensor:
    """Output coordinates of a strided conv: input coordinates floored to the
    coarser grid (``tensor_stride * stride``), unique, sorted."""
    step = tensor_stride * stride
    out = coords.clone()
    out[:, 1:] = torch.div(out[:, 1:], step, rounding_mode='floor') * step
    return torch.unique(out, dim=0)


def kernel_map(in_coords: torch.Tensor, out_coords: torch.Tensor,
               kernel_size: int, tensor_stride: int, dilation: int = 1,
               transposed: bool = False) -> Dict[int, Tuple[torch.Tensor,
                                                            torch.Tensor]]:
    """``{offset index: (input rows, output rows)}`` for every kernel offset
    that connects an input site to an output site.

    Regular conv: output ``o`` reads input ``o + offset * tensor_stride``.
    Transposed conv: input ``i`` writes output ``i + offset * out_stride``
    (``tensor_stride`` is then the *output* stride).

    The hash is linear in the coordinates, so the keys of every shifted site
    are the sites' keys plus one constant per offset: the table is hashed and
    sorted once and all offsets are looked up in one ``searchsorted``."""
    offsets = kernel_offsets(kernel_size, dilation,
                             in_coords.device) * tensor_stride
    table, query = (out_coords, in_coords) if transposed else (in_coords,
                                                               out_coords)
    reach = int(offsets.abs().max()) if len(offsets) else 0
    if len(query) and (query[:, 1:].min() - reach < -_SHIFT or
                       query[:, 1:].max() + reach >= _SHIFT):
        raise ValueError('voxel coordinates plus the kernel reach leave '
                         '[-32768, 32767]; use a coarser grid_size or crop '
                         'the scene.')
    sorted_keys, order = hash_coords(table).sort()
    if len(sorted_keys) == 0:
        return {}
    weights = torch.tensor([_RANGE * _RANGE, _RANGE, 1],
                           device=offsets.device)
    keys = hash_coords(query)[None] + (offsets * weights).sum(1)[:, None]
    pos = torch.searchsorted(sorted_keys, keys).clamp_(max=len(table) - 1)
    found = sorted_keys[pos] == keys
    maps = {}
    for k in range(len(offsets)):
        hit = torch.nonzero(found[k])[:, 0]
        if len(hit):
            rows = order[pos[k, hit]]
            maps[k] = (hit, rows) if transposed else (rows, hit)
    return maps


def sparse_conv(x: SparseTensor, weight: torch.Tensor, kernel_size: int,
                stride: int = 1, dilation: int = 1, transposed: bool = False,
                out_coords: torch.Tensor = None) -> SparseTensor:
    """Sparse 3D convolution of ``x`` with ``weight`` (``K^3 x C_in x
    C_out``, MinkowskiEngine's layout).

    * ``stride == 1``: submanifold (output sites = input sites);
    * ``stride > 1``: output sites on the coarser grid;
    * ``transposed``: back to the finer ``out_coords`` (from the encoder)."""
    if transposed:
        if out_coords is None:
            raise ValueError('a transposed sparse conv needs the finer '
                             'out_coords to write to')
        out_stride = x.stride // stride
        key = ('T', kernel_size, stride, dilation, x.stride)
        coords = out_coords
        maps = x.cache.get(key)
        if maps is None:
            maps = kernel_map(x.coords, coords, kernel_size, out_stride,
                              dilation, transposed=True)
    else:
        out_stride = x.stride * stride
        coords = x.coords if stride == 1 else downsample_coords(
            x.coords, x.stride, stride)
        key = ('C', kernel_size, stride, dilation, x.stride)
        maps = x.cache.get(key)
        if maps is None:
            maps = kernel_map(x.coords, coords, kernel_size, x.stride,
                              dilation)
    x.cache[key] = maps
    out = x.feats.new_zeros(len(coords), weight.shape[-1])
    for k, (rows_in, rows_out) in maps.items():
        # in place: index_add_'s backward does not need ``out``'s values
        out.index_add_(0, rows_out, x.feats[rows_in] @ weight[k])
    return SparseTensor(out, coords, out_stride, cache=x.cache)
