"""Multi-level feature sampling (MSM protocol) against a brute-force
reference: the level densified (zeros in empty voxels) and read with
``F.grid_sample``, as MSM's code does."""
import pytest
import torch
import torch.nn.functional as F

from densessl.models.sparse import SparseTensor
from densessl.models.sparse.sampling import sample_levels, sample_sparse


def random_level(stride, batches=2, extent=24, count=40, channels=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    coords = []
    for b in range(batches):
        voxels = torch.randint(0, extent // stride, (count, 3), generator=g)
        voxels = torch.unique(voxels, dim=0) * stride
        coords.append(torch.cat([torch.full((len(voxels), 1), b), voxels], 1))
    coords = torch.cat(coords)
    feats = torch.randn(len(coords), channels, generator=g,
                        dtype=torch.float64)
    return SparseTensor(feats, coords, stride)


def dense_reference(level, query, align_corners, mode='bilinear'):
    """Densify ``level`` (dense size D per axis = ceil(extent / stride)),
    then grid_sample with MSM's normalisation ((c + 0.5) / s) / D * 2 - 1
    and the reversed (z, y, x) grid order."""
    s = level.stride
    extent = torch.cat([level.coords[:, 1:], query[:, 1:]]).max(0).values + 1
    dense_size = (extent + s - 1) // s
    batches = int(level.coords[:, 0].max()) + 1
    dense = torch.zeros(batches, level.feats.shape[1], *dense_size.tolist(),
                        dtype=level.feats.dtype)
    idx = level.coords[:, 1:] // s
    dense[level.coords[:, 0], :, idx[:, 0], idx[:, 1], idx[:, 2]] = \
        level.feats
    out = torch.zeros(len(query), level.feats.shape[1], dtype=dense.dtype)
    for b in range(batches):
        rows = query[:, 0] == b
        pos = ((query[rows, 1:].double() + 0.5) / s) / dense_size * 2 - 1
        grid = pos.flip(1)[None, :, None, None]  # x, y, z -> z, y, x
        read = F.grid_sample(dense[b:b + 1], grid, mode=mode,
                             align_corners=align_corners)
        out[rows] = read[0, :, :, 0, 0].t()
    return out


def fine_queries(batches=2, extent=24, count=200, seed=1):
    g = torch.Generator().manual_seed(seed)
    q = torch.randint(0, extent, (batches * count, 3), generator=g)
    b = torch.arange(batches).repeat_interleave(count)[:, None]
    return torch.cat([b, q], 1)


@pytest.mark.parametrize('stride', [1, 2, 4, 8])
@pytest.mark.parametrize('align_corners', [False, True])
def test_trilinear_equals_densified_grid_sample(stride, align_corners):
    level = random_level(stride, seed=stride)
    query = fine_queries()
    got = sample_sparse(level, query, 'trilinear', align_corners)
    want = dense_reference(level, query, align_corners)
    assert torch.allclose(got, want, atol=1e-10)


def test_nearest_reads_the_containing_voxel():
    level = random_level(4, seed=3)
    query = fine_queries(seed=4)
    got = sample_sparse(level, query, 'nearest')
    table = {tuple(c.tolist()): f for c, f in zip(level.coords, level.feats)}
    for q, row in zip(query, got):
        key = (int(q[0]), *(int(v) // 4 * 4 for v in q[1:]))
        want = table.get(key, torch.zeros(3, dtype=row.dtype))
        assert torch.equal(row, want)


def test_at_stride_one_a_voxel_reads_itself():
    level = random_level(1, seed=5)
    got = sample_sparse(level, level.coords, 'trilinear')
    assert torch.allclose(got, level.feats)


def test_levels_concatenate_in_order_and_bad_mode_is_named():
    levels = [random_level(s, seed=s) for s in (1, 2, 4)]
    query = fine_queries()
    out = sample_levels(levels, query)
    assert out.shape == (len(query), 9)
    assert torch.allclose(out[:, 3:6], sample_sparse(levels[1], query))
    with pytest.raises(ValueError, match='mode must be one of'):
        sample_sparse(levels[0], query, 'cubic')


def test_minkunet_levels_fine_to_coarse():
    from densessl.models.backbones.mink_unet import MinkUNet
    from densessl.structures.point_batch import to_sparse_tensor
    torch.manual_seed(0)
    net = MinkUNet(in_channels=3, out_channels=8, depth=14,
                   planes=(8, 8, 16, 16, 16, 12, 10, 10), stem_channels=8,
                   stem_kernel_size=3).eval()
    grid = torch.unique(torch.randint(0, 20, (300, 3)), dim=0)
    points = dict(grid_coord=grid, batch=torch.zeros(len(grid), dtype=torch.long),
                  feat=torch.randn(len(grid), 3))
    with torch.no_grad():
        levels = net.forward_levels(to_sparse_tensor(points))
        out = net(to_sparse_tensor(points))
    assert [lv.stride for lv in levels] == [1, 2, 4, 8, 16]
    assert tuple(lv.feats.shape[1] for lv in levels) == net.level_channels
    assert torch.equal(levels[0].feats, out.feats)
