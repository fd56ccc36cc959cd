"""The built-in sparse convolution equals dense 3D convolution on a fully
occupied grid (submanifold, strided, transposed), keeps sparsity, and
propagates gradients."""
import torch
import torch.nn.functional as F

from densessl.models.sparse import SparseConv3d, SparseTensor


def full_grid(batch, size, channels, seed=0):
    g = torch.Generator().manual_seed(seed)
    dense = torch.randn(batch, channels, size, size, size, generator=g,
                        dtype=torch.float64)
    b, x, y, z = torch.meshgrid(torch.arange(batch), torch.arange(size),
                                torch.arange(size), torch.arange(size),
                                indexing='ij')
    coords = torch.stack([b, x, y, z], -1).reshape(-1, 4)
    feats = dense.permute(0, 2, 3, 4, 1).reshape(-1, channels)
    return dense, SparseTensor(feats, coords)


def to_dense(t: SparseTensor, batch, size, step=1):
    out = torch.zeros(batch, t.feats.shape[1], size, size, size,
                      dtype=t.feats.dtype)
    c = t.coords
    out[c[:, 0], :, c[:, 1] // step, c[:, 2] // step, c[:, 3] // step] = \
        t.feats
    return out


def dense_weight(conv):  # K^3 x Cin x Cout -> Cout x Cin x k x k x k
    k = conv.kernel_size
    return conv.weight.permute(2, 1, 0).reshape(
        conv.weight.shape[2], conv.weight.shape[1], k, k, k)


def test_submanifold_equals_dense_conv_on_full_grid():
    dense, sparse = full_grid(2, 5, 3)
    conv = SparseConv3d(3, 4, kernel_size=3).double()
    out = conv(sparse)
    expected = F.conv3d(dense, dense_weight(conv), padding=1)
    assert torch.allclose(to_dense(out, 2, 5), expected, atol=1e-10)
    assert torch.equal(out.coords, sparse.coords)


def test_strided_and_transposed_equal_dense():
    dense, sparse = full_grid(1, 4, 2, seed=1)
    down = SparseConv3d(2, 3, kernel_size=2, stride=2).double()
    coarse = down(sparse)
    assert coarse.stride == 2 and len(coarse.coords) == 8
    expected = F.conv3d(dense, dense_weight(down), stride=2)
    assert torch.allclose(to_dense(coarse, 1, 2, step=2), expected,
                          atol=1e-10)
    up = SparseConv3d(3, 2, kernel_size=2, stride=2, transposed=True).double()
    fine = up(coarse, out_coords=sparse.coords)
    # conv_transpose3d weight: Cin x Cout x k x k x k
    wt = up.weight.permute(1, 2, 0).reshape(3, 2, 2, 2, 2)
    expected = F.conv_transpose3d(expected, wt, stride=2)
    assert fine.stride == 1
    assert torch.allclose(to_dense(fine, 1, 4), expected, atol=1e-10)


def test_sparse_sites_only_and_gradients():
    coords = torch.tensor([[0, 0, 0, 0], [0, 0, 0, 1], [0, 5, 5, 5],
                           [1, 0, 0, 0]])
    feats = torch.randn(4, 2, requires_grad=True)
    conv = SparseConv3d(2, 3)
    out = conv(SparseTensor(feats, coords))
    # isolated sites only see themselves (the centre tap)
    assert torch.allclose(out.feats[2], feats[2] @ conv.weight[13])
    assert torch.allclose(out.feats[3], feats[3] @ conv.weight[13])
    # batch 1 site does not see batch 0's neighbour at the same place
    assert torch.allclose(out.feats[0], feats[0] @ conv.weight[13] +
                          feats[1] @ conv.weight[14])
    out.feats.sum().backward()
    assert feats.grad.abs().sum() > 0 and conv.weight.grad.abs().sum() > 0
