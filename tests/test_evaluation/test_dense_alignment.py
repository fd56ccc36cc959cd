"""Dense alignment / uniformity against direct re-derivations, the
geometric matching from crop boxes, and prompt-point segmentation on
features whose answer is known."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from densessl.evaluation.dense_alignment import (alignment,
                                                 dense_alignment_uniformity,
                                                 matched_positions,
                                                 prompt_point_segmentation,
                                                 uniformity)


def test_alignment_and_uniformity_equal_the_formulas():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(7, 5, generator=g, dtype=torch.float64)
    y = torch.randn(7, 5, generator=g, dtype=torch.float64)
    xn = x.numpy() / np.linalg.norm(x.numpy(), axis=1, keepdims=True)
    yn = y.numpy() / np.linalg.norm(y.numpy(), axis=1, keepdims=True)
    expected = np.mean(np.linalg.norm(xn - yn, axis=1) ** 3)
    assert float(alignment(x, y, alpha=3)) == pytest.approx(expected)
    total, count = 0.0, 0
    for i in range(7):
        for j in range(7):
            if i != j:
                total += math.exp(-2 * np.sum((xn[i] - xn[j]) ** 2))
                count += 1
    assert float(uniformity(x, t=2)) == pytest.approx(math.log(total / count))
    # bounds: identical rows are perfectly aligned, one repeated point is
    # the least uniform (0), antipodal points the most (-4 t)
    assert float(alignment(x, 3 * x)) == pytest.approx(0, abs=1e-12)
    assert float(uniformity(x[:1].repeat(4, 1))) == pytest.approx(0, abs=1e-6)
    assert float(uniformity(torch.tensor([[1.0, 0], [-1.0, 0]]), t=2)) == \
        pytest.approx(-8)


def test_matching_from_crop_boxes():
    same = torch.tensor([[0.1, 0.2, 0.7, 0.8]])
    image, c1, c2 = matched_positions(same, same, 3, 4)
    assert len(image) == 12 and torch.equal(c1, c2)
    flipped = same[:, [2, 1, 0, 3]]  # a horizontal flip swaps x1 and x2
    _, c1, c2 = matched_positions(same, flipped, 3, 4)
    rows, cols = c1 // 4, c1 % 4
    assert torch.equal(c2, rows * 4 + (3 - cols))
    # view 2 covers the right half of view 1: only those cells match
    right = torch.tensor([[0.4, 0.2, 0.7, 0.8]])
    _, c1, _ = matched_positions(same, right, 3, 4)
    assert 0 not in (c1 % 4).tolist() and {2, 3} <= set((c1 % 4).tolist())


def test_dense_alignment_of_equal_views_is_zero():
    g = torch.Generator().manual_seed(1)
    feats = torch.randn(2, 8, 3, 3, generator=g)
    boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.2, 0.1, 0.9, 0.6]])
    out = dense_alignment_uniformity(feats, feats.clone(), boxes, boxes)
    assert out['pairs'] == 18 and out['alignment'] == pytest.approx(0)
    noisy = dense_alignment_uniformity(
        feats, torch.randn(2, 8, 3, 3, generator=g), boxes, boxes)
    assert noisy['alignment'] > 1.0
    assert -4 * 2 < out['uniformity'] < 0


def test_prompt_points_segment_objects_whose_features_separate_them():
    instances = torch.zeros(2, 16, 16, dtype=torch.long)
    instances[0, :8, :8], instances[0, 8:, 4:12] = 1, 2
    instances[1, 4:12, 8:] = 3
    cells = instances[:, ::4, ::4]  # 4 x 4 feature grid, stride 4
    feats = F.one_hot(cells, 4).permute(0, 3, 1, 2).float()
    out = prompt_point_segmentation(feats, instances)
    assert out['objects'] == 3
    assert out['intra'] == pytest.approx(1) and out['inter'] == \
        pytest.approx(0)
    assert out['mIoU'] > 70 and out['mIoU_best'] > 70
    noise = torch.randn(2, 4, 4, 4, generator=torch.Generator().manual_seed(2))
    worse = prompt_point_segmentation(noise, instances)
    assert worse['mIoU'] < out['mIoU'] and worse['intra'] < 1
    with pytest.raises(ValueError, match='no object'):
        prompt_point_segmentation(feats, torch.zeros(2, 16, 16).long())


def test_point_alignment_over_matched_points_and_the_3d_hook():
    from densessl.evaluation.dense_alignment import \
        point_alignment_uniformity
    g = torch.Generator().manual_seed(0)
    f1, f2 = torch.randn(6, 4, generator=g), torch.randn(5, 4, generator=g)
    pairs = torch.tensor([[0, 4], [3, 1], [5, 0]])
    got = point_alignment_uniformity(f1, f2, pairs)
    n1, n2 = F.normalize(f1, dim=1), F.normalize(f2, dim=1)
    want = sum(float((n1[i] - n2[j]).norm() ** 2) for i, j in pairs) / 3
    assert got['alignment'] == pytest.approx(want, rel=1e-5)
    rows = torch.cat([n1, n2])
    pair_terms = [math.exp(-2 * float((rows[i] - rows[j]).norm() ** 2))
                  for i in range(11) for j in range(11) if i != j]
    assert got['uniformity'] == pytest.approx(
        math.log(sum(pair_terms) / len(pair_terms)), rel=1e-5)
    assert got['pairs'] == 3

    # the hook on the embedded rooms: held-out scenes, two views matched by
    # origin_coord, numbers in their ranges
    import os.path as osp

    from mmengine.config import Config

    from densessl.engine.hooks.dense_quality_hook import DenseQualityHook
    from densessl.registry import DATASETS, MODELS
    from densessl.setup_env import register_all_modules
    register_all_modules()
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    cfg = Config.fromfile(osp.join(root, 'data', 'pointcontrast_tiny.py'))
    model = MODELS.build(cfg.model)
    hook = DenseQualityHook(num_images=2, match_radius=0.15)
    batch = hook.held_out_batch(DATASETS.build(cfg.train_dataloader.dataset))
    scores = hook.measure(model, batch)
    assert set(scores) == {'alignment', 'uniformity'}
    assert 0 <= scores['alignment'] <= 4
    assert -8 <= scores['uniformity'] <= 0
    assert scores == hook.measure(model, batch)  # a fixed batch


def test_void_border_is_neither_an_object_nor_counted():
    instances = torch.zeros(1, 16, 16, dtype=torch.long)
    instances[0, :8, :8] = 1
    cells = instances[:, ::4, ::4]
    feats = F.one_hot(cells, 2).permute(0, 3, 1, 2).float()
    clean = prompt_point_segmentation(feats, instances)
    bordered = instances.clone()
    bordered[0, 8, :9], bordered[0, :9, 8] = 255, 255  # VOC's void border
    out = prompt_point_segmentation(feats, bordered)
    assert out['objects'] == clean['objects'] == 1
    # the prediction spills onto the border pixels: they are not counted
    # against it, so the IoU is not lower than without a border
    pred = F.interpolate(feats[:, 1:2], size=(16, 16), mode='bilinear',
                         align_corners=False)[0, 0]
    pred = pred > pred.mean()
    valid = bordered[0] != 255
    mask = bordered[0] == 1
    expected = float((pred & valid & mask).sum() / ((pred & valid) | mask
                                                    ).sum()) * 100
    assert out['mIoU'] == pytest.approx(expected)
    assert out['mIoU'] >= clean['mIoU'] - 1e-6
