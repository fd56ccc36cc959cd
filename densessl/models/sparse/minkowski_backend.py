"""Run a :class:`SparseConv3d` on MinkowskiEngine 0.5 with the module's own
weight (forward and backward; CPU and CUDA builds).

MinkowskiEngine's kernel has our shape ``K^3 x Cin x Cout`` but enumerates
the offsets with x fastest, where densessl's enumerate x slowest: the weight
is permuted on the way in (autograd flows back through the permutation).
Each call builds its own coordinate manager; a transposed conv generates
every kernel-expanded site and keeps the finer sites it was given."""
import warnings

import torch

from .builtin import downsample_coords, lookup
from .tensor import SparseTensor


def minkowski_weight(weight: torch.Tensor, k: int) -> torch.Tensor:
    """densessl's ``K^3 x Cin x Cout`` (x slowest) in MinkowskiEngine's
    offset order (x fastest)."""
    cin, cout = weight.shape[1:]
    return weight.reshape(k, k, k, cin, cout).permute(2, 1, 0, 3, 4).reshape(
        k**3, cin, cout)


def minkowski_conv(conv, x: SparseTensor, out_coords=None) -> SparseTensor:
    from densessl.utils.optional import require
    with warnings.catch_warnings():  # "compiled with CPU_ONLY": intended
        warnings.simplefilter('ignore')
        ME = require('MinkowskiEngine',
                     'the MinkowskiEngine sparse-conv backend')
    k, stride = conv.kernel_size, conv.stride
    cin, cout = conv.weight.shape[1:]
    device = x.feats.device
    tensor = ME.SparseTensor(x.feats.contiguous(),
                             coordinates=x.coords.int().contiguous(),
                             tensor_stride=x.stride, device=str(device))
    if conv.transposed:
        if out_coords is None:
            raise ValueError('a transposed sparse conv needs the finer '
                             'out_coords to write to')
        op = ME.MinkowskiConvolutionTranspose(
            cin, cout, k, stride=stride, dilation=conv.dilation, bias=False,
            dimension=3)
        out_stride, target = x.stride // stride, out_coords
    else:
        op = ME.MinkowskiConvolution(cin, cout, k, stride=stride,
                                     dilation=conv.dilation, bias=False,
                                     dimension=3)
        out_stride = x.stride * stride
        target = x.coords if stride == 1 else downsample_coords(
            x.coords, x.stride, stride)
    op = op.to(device)
    shape = op.kernel.shape  # Cin x Cout for a 1x1 conv (a plain matmul)
    del op.kernel
    op.kernel = minkowski_weight(conv.weight, k).reshape(shape).to(
        x.feats.dtype)
    out = op(tensor)
    rows, found = lookup(out.C.long(), target)
    if not bool(found.all()):
        raise RuntimeError('MinkowskiEngine produced a different set of '
                           'output sites than the built-in backend')
    return SparseTensor(out.F[rows], target, out_stride, cache=x.cache)
