"""Off-the-shelf 3D evaluation: per-point probe / kNN on separable vs noise
features, scene features read at every original point, global object
features, per-level normalisation."""
import numpy as np
import pytest
import torch

from densessl.evaluation.point_features import (evaluate_features,
                                                extract_scene_features,
                                                normalize_blocks,
                                                object_global_features,
                                                scene_point_features)


def blobs(n, classes=3, dim=8, separable=True, seed=0):
    centres = torch.randn(classes, dim,
                          generator=torch.Generator().manual_seed(99)) * 4
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, classes, (n, ), generator=g)
    noise = torch.randn(n, dim, generator=g)
    return (centres[labels] + noise if separable else noise), labels


def test_separable_features_score_high_and_noise_scores_chance():
    tr, va = blobs(600), blobs(300, seed=1)
    good = evaluate_features(*tr, *va, 3, epochs=20, batch_size=128)
    assert good['probe']['aAcc'] > 95 and good['knn']['aAcc'] > 95
    tr, va = blobs(600, separable=False), blobs(300, separable=False, seed=1)
    bad = evaluate_features(*tr, *va, 3, epochs=20, batch_size=128)
    assert bad['probe']['aAcc'] < 50 and bad['knn']['aAcc'] < 50


def test_knn_levels_weigh_the_same_after_block_normalisation():
    feats = torch.tensor([[3.0, 4.0, 0.0, 10.0, 0.0]])
    out = normalize_blocks(feats, [2, 3])
    assert torch.allclose(out, torch.tensor([[0.6, 0.8, 0.0, 1.0, 0.0]]))
    with pytest.raises(ValueError, match='add up'):
        normalize_blocks(feats, [2, 2])


class ConstantLevels(torch.nn.Module):
    """A fake U-Net: level 0 = the voxel's x coordinate, level 1 (stride
    2) = 100 + the coarse voxel's x index, so every value can be checked."""

    def forward_levels(self, x):
        from densessl.models.sparse import SparseTensor
        from densessl.models.sparse.builtin import downsample_coords
        fine = SparseTensor(x.coords[:, 1:2].double(), x.coords, 1)
        coarse = downsample_coords(x.coords, 1, 2)
        return [fine, SparseTensor(100 + coarse[:, 1:2].double() / 2, coarse,
                                   2)]


def test_scene_features_reach_every_original_point_through_inverse():
    from densessl.datasets.transforms import GridSample
    from densessl.datasets.transforms.point_scene import (
        PackSparsePointInputs, PointFeatures)
    rng = np.random.default_rng(0)
    coord = rng.uniform(0, 1, (500, 3)).astype(np.float32)
    results = dict(coord=coord, color=np.ones_like(coord),
                   segment=rng.integers(0, 3, 500))
    for t in (GridSample(0.1, mode='test'), PointFeatures(('color', )),
              PackSparsePointInputs()):
        results = t(results)
    feats, labels = extract_scene_features(ConstantLevels(), [results],
                                           mode='nearest')
    grid = np.floor((coord - coord.min(0)) / 0.1).astype(np.int64)
    assert feats.shape == (500, 2)
    assert torch.equal(feats[:, 0], torch.from_numpy(grid[:, 0]).double())
    assert torch.equal(feats[:, 1],
                       torch.from_numpy(100 + grid[:, 0] // 2).double())
    assert torch.equal(labels, results['inputs']['full_segment'])
    sub, sub_labels = extract_scene_features(ConstantLevels(), [results],
                                             mode='nearest',
                                             points_per_scene=50, seed=3)
    assert sub.shape == (50, 2) and len(sub_labels) == 50


def test_scene_features_of_a_real_unet_have_the_level_widths():
    from densessl.models.backbones.mink_unet import MinkUNet
    from densessl.structures.point_batch import collate_points
    net = MinkUNet(in_channels=3, out_channels=8,
                   planes=(8, 8, 16, 16, 16, 12, 10, 10), stem_channels=8,
                   stem_kernel_size=3).eval()
    grid = torch.unique(torch.randint(0, 12, (200, 3)), dim=0)
    inverse = torch.randint(0, len(grid), (700, ))
    batch = collate_points(dict(coord=[grid.float()], grid_coord=[grid],
                                feat=[torch.randn(
        len(grid), 3)], inverse=[inverse]))
    out = scene_point_features(net, batch)
    assert out.shape == (700, sum(net.level_channels))
    assert torch.isfinite(out).all()


def test_object_global_features_pool_max_and_mean():
    class Tokens(torch.nn.Module):
        def forward(self, points):
            return points * 2, None
    points = torch.randn(4, 16, 3)
    out = object_global_features(Tokens(), points)
    want = torch.cat([(points * 2).max(1).values, (points * 2).mean(1)], 1)
    assert torch.equal(out, want)


def test_knn_over_distinct_features_equals_the_plain_per_point_knn():
    from densessl.evaluation.knn_segmentation import evaluate_knn
    tr = blobs(200)
    feats, labels = blobs(60, seed=2)
    # each feature repeated as the points of one voxel, labels differing
    index = torch.randint(0, 60, (300, ), generator=torch.Generator(
    ).manual_seed(0))
    va = feats[index], torch.randint(0, 3, (300, ))
    got = evaluate_features(*tr, *va, 3, evals=('knn', ), k=5)['knn']
    want = evaluate_knn(tr[0][:, :, None, None], tr[1][:, None, None],
                        va[0][:, :, None, None], va[1][:, None, None], 3,
                        k=5)
    assert got['mIoU'] == pytest.approx(want['mIoU'])
    assert got['aAcc'] == pytest.approx(want['aAcc'])
