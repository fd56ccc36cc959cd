"""Run a :class:`SparseConv3d` on spconv 2.x with the module's own weight.

spconv works on non-negative indices in units of the current stride; the
coordinates are shifted by a multiple of the coarsest step so that flooring to
coarser grids is unchanged, and shifted back afterwards. spconv's CPU build
runs the forward only (its backward calls CUDA), so training on CPU uses the
built-in backend."""
import torch

from .builtin import lookup
from densessl.structures.sparse_tensor import SparseTensor


def _weight_for(op, weight: torch.Tensor, k: int) -> torch.Tensor:
    """Our ``K^3 x Cin x Cout`` in the layout of ``op.weight``."""
    cin, cout = weight.shape[1:]
    if k == 1:
        # spconv 2.3.8's 1x1 path multiplies by the raw memory viewed as
        # Cin x Cout, whatever the declared layout (seen here)
        return weight.reshape(op.weight.shape).contiguous()
    w = weight.reshape(k, k, k, cin, cout)
    if tuple(op.weight.shape) == (cout, k, k, k, cin):  # KRSC
        return w.permute(4, 0, 1, 2, 3).contiguous()
    if tuple(op.weight.shape) == (k, k, k, cin, cout):  # RSCK
        return w.contiguous()
    raise RuntimeError(f'unknown spconv weight layout {tuple(op.weight.shape)}')


def spconv_conv(conv, x: SparseTensor, out_coords=None) -> SparseTensor:
    from densessl.utils.optional import require
    spconv = require('spconv.pytorch', 'the spconv sparse-conv backend')
    k, stride = conv.kernel_size, conv.stride
    if stride > 1 and k != stride:
        # spconv's strided conv reads inputs 2o..2o+k-1 (new output sites);
        # densessl (as MinkowskiEngine) floors sites and centres odd
        # kernels: the two agree only when kernel == stride
        raise NotImplementedError(
            f'the spconv backend supports submanifold convs and strided / '
            f'transposed convs with kernel == stride, not kernel {k} stride '
            f'{stride}; use the builtin backend for this layer')
    cin, cout = conv.weight.shape[1:]
    step = 64 * max(x.stride, 1) * stride
    shift = (-int(x.coords[:, 1:].min()) // step + 1) * step
    index = x.coords.clone()
    index[:, 1:] = (index[:, 1:] + shift) // x.stride
    shape = (index[:, 1:].max(0).values + 2 * k + 2).tolist()
    batch = int(index[:, 0].max()) + 1
    tensor = spconv.SparseConvTensor(x.feats, index.int(), shape, batch)
    if conv.transposed:
        op = spconv.SparseConvTranspose3d(cin, cout, k, stride=stride,
                                          dilation=conv.dilation, bias=False)
        out_stride = x.stride // stride
    elif stride == 1:
        op = spconv.SubMConv3d(cin, cout, k, dilation=conv.dilation,
                               bias=False)
        out_stride = x.stride
    else:
        op = spconv.SparseConv3d(cin, cout, k, stride=stride,
                                 dilation=conv.dilation, bias=False)
        out_stride = x.stride * stride
    op = op.to(x.feats.device)
    weight = _weight_for(op, conv.weight, k).to(x.feats.dtype)
    del op.weight
    op.weight = weight  # keep the graph to conv.weight
    out = op(tensor)
    coords = out.indices.long()
    coords[:, 1:] = coords[:, 1:] * out_stride - shift
    feats = out.features
    if conv.transposed:  # keep only the finer sites we were given
        rows, found = lookup(coords, out_coords)
        feats = torch.where(found[:, None], feats[rows],
                            feats.new_zeros(()))
        coords = out_coords
    elif stride == 1:  # submanifold: the input's sites in the input's order
        rows, _ = lookup(coords, x.coords)
        coords, feats = x.coords, feats[rows]
    else:  # strided: sorted sites, as the built-in backend
        order = torch.argsort(_key(coords))
        coords, feats = coords[order], feats[order]
    return SparseTensor(feats, coords, out_stride, cache=x.cache)


def _key(coords):
    from .builtin import hash_coords
    return hash_coords(coords)
