"""An optional sparse backend that is not installed fails with a message that
says how to install it; an unknown backend is refused at build time."""
import sys

import pytest
import torch

from densessl.models.sparse import SparseConv3d, SparseTensor


def test_missing_minkowski_engine_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, 'MinkowskiEngine', None)  # not importable
    conv = SparseConv3d(2, 3, backend='minkowski')
    x = SparseTensor(torch.randn(4, 2), torch.tensor(
        [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]]))
    with pytest.raises(ImportError, match='tools/install_minkowski.sh'):
        conv(x)


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match='builtin'):
        SparseConv3d(2, 3, backend='torchsparse')
