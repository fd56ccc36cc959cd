"""The built-in backend equals spconv's forward for equal weights (spconv is
installed by tools/install.sh; its CPU build has a forward only)."""
import pytest
import torch

from densessl.models.sparse import SparseConv3d, SparseTensor
from helpers import random_sites

import spconv.pytorch  # noqa: F401  (the 3d extra; CI installs it)


@pytest.fixture(autouse=True)
def one_thread():
    """spconv 2.3.8's CPU transposed conv races with several threads: seen
    here, 5 of 20 repeated runs on the same input differed in 1-2 rows with 2
    threads, none with 1. Compare against its deterministic result."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def sort_rows(t):
    from densessl.models.sparse import hash_coords
    order = torch.argsort(hash_coords(t.coords))
    return t.coords[order], t.feats[order]


@pytest.mark.parametrize('kernel, stride', [(1, 1), (3, 1), (5, 1), (2, 2), (4, 4)])
def test_conv_equals_spconv_forward(kernel, stride):
    x = random_sites()
    ours = SparseConv3d(4, 6, kernel_size=kernel, stride=stride)
    theirs = SparseConv3d(4, 6, kernel_size=kernel, stride=stride,
                          backend='spconv')
    theirs.load_state_dict(ours.state_dict())
    with torch.no_grad():
        a, b = ours(x), theirs(SparseTensor(x.feats, x.coords))
    ca, fa = sort_rows(a)
    cb, fb = sort_rows(b)
    assert torch.equal(ca, cb)
    assert torch.allclose(fa, fb, atol=1e-5)


def test_transposed_equals_spconv_forward():
    x = random_sites(seed=1)
    down = SparseConv3d(4, 4, kernel_size=2, stride=2)
    with torch.no_grad():
        coarse = down(x)
    ours = SparseConv3d(4, 3, kernel_size=2, stride=2, transposed=True)
    theirs = SparseConv3d(4, 3, kernel_size=2, stride=2, transposed=True,
                          backend='spconv')
    theirs.load_state_dict(ours.state_dict())
    with torch.no_grad():
        a = ours(coarse, out_coords=x.coords)
        b = theirs(SparseTensor(coarse.feats, coarse.coords, 2),
                   out_coords=x.coords)
    assert torch.equal(a.coords, b.coords)
    assert torch.allclose(a.feats, b.feats, atol=1e-5)


def test_unsupported_spconv_layer_says_so():
    x = random_sites()
    conv = SparseConv3d(4, 6, kernel_size=3, stride=2, backend='spconv')
    with pytest.raises(NotImplementedError, match='kernel == stride'):
        conv(x)
