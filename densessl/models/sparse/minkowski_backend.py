"""Run a :class:`SparseConv3d` on MinkowskiEngine 0.5 with the module's own
weight (forward and backward; CPU and CUDA builds).

MinkowskiEngine's kernel has our shape ``K^3 x Cin x Cout`` but enumerates
the offsets with x fastest, where densessl's enumerate x slowest: the weight
is permuted on the way in (autograd flows back through the permutation).
One coordinate manager serves a whole forward pass (it lives in the
:class:`SparseTensor`'s shared ``cache``), so MinkowskiEngine hashes each
stride's sites once and reuses its kernel maps between layers, as in a
native MinkowskiEngine network; rows are carried between densessl's site
order and MinkowskiEngine's by a permutation computed once per stride."""
import warnings
from typing import Dict

import torch

from .builtin import downsample_coords, lookup
from densessl.structures.sparse_tensor import SparseTensor


def minkowski_weight(weight: torch.Tensor, k: int) -> torch.Tensor:
    """densessl's ``K^3 x Cin x Cout`` (x slowest) in MinkowskiEngine's
    offset order (x fastest)."""
    cin, cout = weight.shape[1:]
    return weight.reshape(k, k, k, cin, cout).permute(2, 1, 0, 3, 4).reshape(
        k**3, cin, cout)


def _minkowski():
    from densessl.utils.optional import require
    with warnings.catch_warnings():  # "compiled with CPU_ONLY": intended
        warnings.simplefilter('ignore')
        return require('MinkowskiEngine',
                       'the MinkowskiEngine sparse-conv backend')


def _rows_of(me_coords: torch.Tensor, coords: torch.Tensor) -> torch.Tensor:
    """The ME row of each of our sites (all of which ME must have)."""
    rows, found = lookup(me_coords.long(), coords)
    if not bool(found.all()):
        raise RuntimeError('MinkowskiEngine produced a different set of '
                           'output sites than the built-in backend')
    return rows


def _site_orders(me_coords: torch.Tensor, coords: torch.Tensor):
    """``ours_to_me`` (ME row of each of our rows) and its inverse, for two
    equal site sets."""
    if len(me_coords) != len(coords):
        raise RuntimeError('MinkowskiEngine produced a different set of '
                           'output sites than the built-in backend')
    ours_to_me = _rows_of(me_coords, coords)
    me_to_ours = torch.empty_like(ours_to_me)
    me_to_ours[ours_to_me] = torch.arange(len(ours_to_me),
                                          device=ours_to_me.device)
    return ours_to_me, me_to_ours


def _entry(state: Dict, stride: int, coords: torch.Tensor):
    """The cached (map key, ours_to_me, me_to_ours) of these sites, if any."""
    entry = state.get(stride)
    if entry is not None and entry[3] is not coords and not (
            entry[3].shape == coords.shape and torch.equal(entry[3], coords)):
        return None
    return entry


def _to_minkowski(ME, x: SparseTensor, state: Dict):
    entry = _entry(state, x.stride, x.coords)
    if entry is not None:
        key, _, me_to_ours, _ = entry
        return ME.SparseTensor(x.feats[me_to_ours].contiguous(),
                               coordinate_map_key=key,
                               coordinate_manager=state['manager'])
    extra = {'coordinate_manager': state['manager']} if 'manager' in state \
        else {'device': str(x.feats.device)}
    tensor = ME.SparseTensor(x.feats.contiguous(),
                             coordinates=x.coords.int().contiguous(),
                             tensor_stride=x.stride, **extra)
    state['manager'] = tensor.coordinate_manager
    ours_to_me, me_to_ours = _site_orders(tensor.C, x.coords)
    state[x.stride] = (tensor.coordinate_map_key, ours_to_me, me_to_ours,
                       x.coords)
    # features were given in our order; ME may have stored them reordered
    return ME.SparseTensor(x.feats[me_to_ours].contiguous(),
                           coordinate_map_key=tensor.coordinate_map_key,
                           coordinate_manager=state['manager'])


def _operator(ME, conv, device, dtype):
    """The MinkowskiEngine module of ``conv``, built once (its kernel is set
    from ``conv.weight`` at every call)."""
    ops = conv.__dict__.setdefault('_minkowski_ops', {})
    if (device, dtype) not in ops:
        k, cin, cout = conv.kernel_size, *conv.weight.shape[1:]
        kind = ME.MinkowskiConvolutionTranspose if conv.transposed else \
            ME.MinkowskiConvolution
        op = kind(cin, cout, k, stride=conv.stride, dilation=conv.dilation,
                  bias=False, dimension=3).to(device)
        shape = op.kernel.shape  # Cin x Cout for a 1x1 conv
        del op.kernel
        ops[device, dtype] = (op, shape)
    return ops[device, dtype]


def minkowski_conv(conv, x: SparseTensor, out_coords=None) -> SparseTensor:
    ME = _minkowski()
    if conv.transposed and out_coords is None:
        raise ValueError('a transposed sparse conv needs the finer '
                         'out_coords to write to')
    state = x.cache.setdefault('minkowski', {})
    op, shape = _operator(ME, conv, x.feats.device, x.feats.dtype)
    op.kernel = minkowski_weight(conv.weight, conv.kernel_size).reshape(
        shape).to(x.feats.dtype)
    out = op(_to_minkowski(ME, x, state))
    if conv.transposed:
        out_stride, target = x.stride // conv.stride, out_coords
    else:
        out_stride = x.stride * conv.stride
        target = x.coords if conv.stride == 1 else downsample_coords(
            x.coords, x.stride, conv.stride)
    entry = _entry(state, out_stride, target)
    if entry is None or entry[0] != out.coordinate_map_key:
        if len(out.C) == len(target):
            ours_to_me, me_to_ours = _site_orders(out.C, target)
        else:  # a transposed conv without the finer map: more sites
            return SparseTensor(out.F[_rows_of(out.C, target)], target,
                                out_stride, cache=x.cache)
        entry = (out.coordinate_map_key, ours_to_me, me_to_ours, target)
        state[out_stride] = entry
    return SparseTensor(out.F[entry[1]], target, out_stride, cache=x.cache)
