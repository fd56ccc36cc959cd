"""The built-in backend equals MinkowskiEngine for equal weights, forward and
backward, layer by layer and for a whole MinkUNet.

MinkowskiEngine is optional and slow to build (``bash
tools/install_minkowski.sh``, 5-15 min), so CI does not install it: these
tests run where it is installed and are skipped elsewhere; the other backend
tests (dense conv, spconv) always run."""
import pytest
import torch

from densessl.models.sparse import SparseConv3d, SparseTensor
from helpers import random_sites

ME = pytest.importorskip('MinkowskiEngine',
                         reason='optional: bash tools/install_minkowski.sh')


def _both(x, **kwargs):
    ours = SparseConv3d(4, 6, **kwargs)
    theirs = SparseConv3d(4, 6, backend='minkowski', **kwargs)
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs


@pytest.mark.parametrize('kernel, stride, dilation',
                         [(1, 1, 1), (3, 1, 1), (5, 1, 1), (3, 1, 2), (2, 2, 1),
                          (3, 2, 1), (4, 4, 1)])
def test_conv_equals_minkowski_forward_and_backward(kernel, stride, dilation):
    x = random_sites()
    ours, theirs = _both(x, kernel_size=kernel, stride=stride,
                         dilation=dilation)
    fa = x.feats.clone().requires_grad_()
    fb = x.feats.clone().requires_grad_()
    a = ours(SparseTensor(fa, x.coords))
    b = theirs(SparseTensor(fb, x.coords))
    assert torch.equal(a.coords, b.coords) and a.stride == b.stride
    assert torch.allclose(a.feats, b.feats, atol=1e-5)
    upstream = torch.randn_like(a.feats)
    (a.feats * upstream).sum().backward()
    (b.feats * upstream).sum().backward()
    assert torch.allclose(fa.grad, fb.grad, atol=1e-4)
    assert torch.allclose(ours.weight.grad, theirs.weight.grad, atol=1e-4)


def test_transposed_equals_minkowski():
    x = random_sites(seed=1)
    down = SparseConv3d(4, 4, kernel_size=2, stride=2)
    with torch.no_grad():
        coarse = down(x)
    ours, theirs = _both(coarse, kernel_size=2, stride=2, transposed=True)
    a = ours(SparseTensor(coarse.feats, coarse.coords, 2), out_coords=x.coords)
    b = theirs(SparseTensor(coarse.feats, coarse.coords, 2),
               out_coords=x.coords)
    assert torch.equal(a.coords, x.coords) and a.stride == b.stride == 1
    assert torch.allclose(a.feats, b.feats, atol=1e-5)
    a.feats.sum().backward()
    b.feats.sum().backward()
    assert torch.allclose(ours.weight.grad, theirs.weight.grad, atol=1e-4)


def test_whole_unet_equals_minkowski():
    from densessl.registry import MODELS
    x = random_sites(n=600, size=16, channels=3, seed=2)
    cfg = dict(type='MinkUNet', in_channels=3, out_channels=8, depth=14,
               planes=(8, 8, 16, 16, 16, 16, 8, 8), stem_channels=8)
    ours = MODELS.build(cfg).eval()
    theirs = MODELS.build(dict(cfg, backend='minkowski')).eval()
    theirs.load_state_dict(ours.state_dict())
    with torch.no_grad():
        a = ours(SparseTensor(x.feats, x.coords))
        b = theirs(SparseTensor(x.feats, x.coords))
    assert torch.equal(a.coords, b.coords)
    assert torch.allclose(a.feats, b.feats, atol=1e-4)
