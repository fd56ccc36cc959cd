"""MinkUNet on grid-sampled points: builds from the registry, keeps the input
sites, trains (gradients everywhere) on the built-in backend, and gives the
same output on spconv for equal weights."""
import numpy as np
import torch

from densessl.datasets import generate_object
from densessl.datasets.transforms import GridSample
from densessl.models.sparse import SparseTensor
from densessl.registry import MODELS


def voxelised(seed=0, grid=0.05, batch=2):
    coords, feats = [], []
    for b in range(batch):
        obj = generate_object(seed + b, 2048)
        out = GridSample(grid, mode='test')(dict(coord=obj['coord']))
        g = torch.from_numpy(out['grid_coord'])
        coords.append(torch.cat([torch.full((len(g), 1), b), g], 1))
        feats.append(torch.from_numpy(out['coord']).float())
    return SparseTensor(torch.cat(feats), torch.cat(coords))


def test_grid_sample_one_point_per_voxel():
    rng = np.random.default_rng(0)
    coord = rng.uniform(0, 1, size=(500, 3))
    out = GridSample(0.25, mode='train')(dict(coord=coord.copy()))
    grid = out['grid_coord']
    assert len(np.unique(grid, axis=0)) == len(grid) <= 64
    # each kept point lies in its voxel, and inverse maps all points
    assert np.array_equal(np.floor((out['coord'] - coord.min(0)) / 0.25),
                          grid)
    assert out['inverse'].shape == (500, ) and out['origin_coord'].shape == \
        out['coord'].shape
    kept = out['coord'][out['inverse']]
    assert np.array_equal(np.floor((kept - coord.min(0)) / 0.25),
                          np.floor((coord - coord.min(0)) / 0.25))


def test_mink_unet_forward_backward_builtin():
    torch.manual_seed(0)
    net = MODELS.build(dict(type='MinkUNet', in_channels=3, out_channels=8,
                            depth=14, planes=(8, 8, 16, 16, 16, 8, 8, 8),
                            stem_channels=8))
    x = voxelised()
    out = net(x)
    assert out.feats.shape == (len(x.coords), 8)
    assert torch.equal(out.coords, x.coords)
    out.feats.pow(2).mean().backward()
    for name, p in net.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    assert net.enc[3][0].conv1.weight.grad.abs().sum() > 0  # the bottleneck


def test_mink_unet_backends_agree():
    torch.manual_seed(0)
    cfg = dict(type='MinkUNet', in_channels=3, out_channels=4, depth=14,
               planes=(8, 8, 8, 8, 8, 8, 8, 8), stem_channels=8)
    ours = MODELS.build(cfg).eval()
    theirs = MODELS.build(dict(cfg, backend='spconv')).eval()
    theirs.load_state_dict(ours.state_dict())
    x = voxelised(seed=3)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # spconv's CPU transposed conv races otherwise
    try:
        with torch.no_grad():
            a = ours(x)
            b = theirs(SparseTensor(x.feats, x.coords))
    finally:
        torch.set_num_threads(threads)
    assert torch.allclose(a.feats, b.feats, atol=1e-4)
