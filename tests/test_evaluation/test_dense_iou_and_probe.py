"""Confusion / IoU against a direct count, and the linear probe on problems
with a known answer."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from densessl.evaluation import (DenseIoUMetric, confusion_matrix,
                                 iou_from_confusion)
from densessl.evaluation.linear_probe import (evaluate_probe,
                                              train_linear_probe)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_iou_equals_direct_count():
    rng = np.random.default_rng(0)
    pred = rng.integers(0, 4, size=(3, 9, 9))
    gt = rng.integers(0, 4, size=(3, 9, 9))
    gt[0, :2] = 255  # ignored
    pred[gt == 3] = 3  # class 3 perfectly predicted where it exists ...
    pred[(gt != 3) & (pred == 3)] = 0  # ... and never elsewhere
    conf = confusion_matrix(torch.tensor(pred), torch.tensor(gt), 5)
    iou = iou_from_confusion(conf)
    valid = gt != 255
    for c in range(4):
        inter = ((pred == c) & (gt == c) & valid).sum()
        union = (((pred == c) | (gt == c)) & valid).sum()
        assert iou[c].item() == inter / union
    assert iou[3] == 1.0
    assert torch.isnan(iou[4])  # absent from both: left out of the mean
    metric = DenseIoUMetric(num_classes=5)
    metric.process(None, [dict(pred_label=torch.tensor(p), gt_label=torch.tensor(g))
                          for p, g in zip(pred, gt)])
    result = metric.compute_metrics(metric.results)
    assert np.isclose(result['mIoU'], float(np.nanmean(iou.numpy())) * 100)
    assert np.isclose(result['aAcc'], ((pred == gt) & valid).sum() / valid.sum() * 100)


def test_probe_learns_a_linearly_separable_problem():
    # features = a scaled one-hot of the class of each 4x4 cell, plus an
    # offset channel: a 1x1 conv can be perfect, so the probe must reach it
    g = torch.Generator().manual_seed(0)
    cells = torch.randint(0, 3, (40, 4, 4), generator=g)
    feats = F.one_hot(cells, 3).permute(0, 3, 1, 2).float() * 5 + 100
    labels = cells.repeat_interleave(8, 1).repeat_interleave(8, 2)  # 32x32
    head = train_linear_probe(feats[:30], labels[:30], 3, epochs=60, lr=0.05)
    result = evaluate_probe(head, feats[30:], labels[30:], 3)
    # bilinear upsampling blurs cell borders; interiors are exact. The probe
    # trains on standardised features but is evaluated on raw ones (offset
    # 100): this only works if the standardisation was folded in correctly.
    assert result['mIoU'] > 85 and result['aAcc'] > 90


def test_probe_on_noise_is_near_chance():
    g = torch.Generator().manual_seed(1)
    feats = torch.randn(40, 8, 4, 4, generator=g)
    labels = torch.randint(0, 4, (40, 16, 16), generator=g)
    head = train_linear_probe(feats[:30], labels[:30], 4, epochs=10)
    assert evaluate_probe(head, feats[30:], labels[30:], 4)['aAcc'] < 40


def test_dense_eval_tool_on_scenes_writes_json(tmp_path):
    import json
    out = tmp_path / 'eval.json'
    proc = subprocess.run(
        [sys.executable, 'tools/benchmarks/dense_eval.py',
         'tests/data/densecl_tiny_deterministic.py', '--num-train', '8',
         '--num-val', '4', '--size', '64', '--epochs', '2', '--out',
         str(out)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result['checkpoint'] == 'random' and result['levels'] == [-2, -1]
    for name in ('probe', 'knn'):
        assert 0 <= result[name]['mIoU'] <= 100
        assert len(result[name]['per_class_iou']) == len(result['classes'])
        assert f'{name}: mIoU' in proc.stdout


def test_levels_rebuild_a_c5_only_backbone_with_the_levels_asked():
    """``--levels`` works on configs that train with C5 only: the rebuilt
    backbone gives the C4 / C3 maps of the *same* weights."""
    from mmengine.config import Config

    from densessl.apis import dense_features, init_model, request_levels
    cfg = Config.fromfile(osp.join(ROOT, 'tests/data/'
                                   'densecl_tiny_deterministic.py'))
    assert tuple(cfg.model.backbone.out_indices) == (4, )
    torch.manual_seed(0)
    c5_only = init_model(cfg.copy())
    positions = request_levels(cfg, [-3, -1])
    assert cfg.model.backbone.out_indices == (-3, -1) and positions == [0, 1]
    model = init_model(cfg)
    model.load_state_dict(c5_only.state_dict())
    images = torch.randint(0, 255, (2, 3, 64, 64), dtype=torch.uint8)
    both = dense_features(model, images, positions)
    assert both.shape == (2, 128 + 512, 8, 8)
    timm_model = c5_only.backbone.timm_model
    with torch.no_grad():
        x = c5_only.data_preprocessor(dict(inputs=images), False)['inputs']
        x = x[0] if isinstance(x, (list, tuple)) else x
        x = timm_model.act1(timm_model.bn1(timm_model.conv1(x)))
        c3 = timm_model.layer2(timm_model.layer1(timm_model.maxpool(x)))
    assert torch.allclose(both[:, :128], c3, atol=1e-5)
    assert torch.allclose(both[:, 128:], F.interpolate(
        dense_features(c5_only, images), size=(8, 8), mode='bilinear',
        align_corners=False), atol=1e-5)
    with pytest.raises(ValueError, match='all negative'):
        request_levels(cfg, [2, -1])


def test_dense_eval_levels_and_cfg_options_on_a_shipped_config(tmp_path):
    import json
    out = tmp_path / 'eval.json'
    proc = subprocess.run(
        [sys.executable, 'tools/benchmarks/dense_eval.py',
         'configs/byol/byol_resnet18_1xb32-lars-coslr-6e_scenes.py',
         '--num-train', '4', '--num-val', '2', '--size', '64', '--epochs',
         '1', '--levels', '-3', '-2', '-1', '--knn-per-image', '5',
         '--cfg-options', 'model.backbone.model_name=resnet10t',
         '--out', str(out)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # resnet10t: C3 + C4 + C5 = 128 + 256 + 512 channels at C3's stride 8
    assert 'features (4, 896, 8, 8)' in proc.stdout
    assert json.loads(out.read_text())['knn']['bank_patches'] <= 4 * 5
    bad = subprocess.run(
        [sys.executable, 'tools/benchmarks/dense_eval.py',
         'configs/byol/byol_resnet18_1xb32-lars-coslr-6e_scenes.py',
         '--num-train', '2', '--num-val', '2', '--size', '32',
         '--levels', '-9'], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode != 0
    assert bad.stderr.strip().splitlines()[-1].startswith('error: ')


def test_dense_eval_takes_a_vit_config_at_another_size(tmp_path):
    """The ViT-tiny config trains on 128 px crops; the comparison evaluates
    at 224 (here 64): the backbone is built for any input size."""
    proc = subprocess.run(
        [sys.executable, 'tools/benchmarks/dense_eval.py',
         'configs/densecl/densecl_vit-tiny-p16_1xb32-adamw-coslr-6e_scenes.py',
         '--num-train', '4', '--num-val', '2', '--size', '64', '--epochs',
         '1', '--out', str(tmp_path / 'eval.json')],
        cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # the last two blocks, 192 channels each, on the 4 x 4 patch grid
    assert 'features (4, 384, 4, 4)' in proc.stdout


def test_multi_level_features_upsample_and_concatenate():
    import copy

    from densessl.apis import dense_features
    from densessl.registry import MODELS
    from helpers import TINY_BACKBONE, densecl_cfg
    torch.manual_seed(0)
    backbone = dict(copy.deepcopy(TINY_BACKBONE), out_indices=(3, 4))
    model = MODELS.build(densecl_cfg(backbone=backbone)).eval()
    images = torch.randint(0, 255, (2, 3, 64, 64), dtype=torch.uint8)
    c4, c5 = dense_features(model, images, -2), dense_features(model, images)
    both = dense_features(model, images, (-2, -1))
    assert c4.shape == (2, 256, 4, 4) and c5.shape == (2, 512, 2, 2)
    assert both.shape == (2, 768, 4, 4)
    assert torch.equal(both[:, :256], c4)
    assert torch.allclose(both[:, 256:], F.interpolate(
        c5, size=(4, 4), mode='bilinear', align_corners=False))
    with pytest.raises(ValueError, match='does not exist'):
        dense_features(model, images, (-3, -1))


def test_scores_of_an_all_ignored_split_are_not_a_division_by_zero():
    from densessl.evaluation import scores_from_confusion
    empty = scores_from_confusion(torch.zeros(3, 3, dtype=torch.long))
    assert empty['aAcc'] == 0 and empty['mIoU'] != empty['mIoU']  # NaN
    confusion = torch.tensor([[3, 1], [0, 4]])
    scores = scores_from_confusion(confusion)
    assert scores['aAcc'] == pytest.approx(700 / 8)
    assert scores['per_class_iou'] == pytest.approx([75.0, 80.0])
    assert scores['mIoU'] == pytest.approx(77.5)
    g = torch.Generator().manual_seed(0)
    feats = torch.randn(4, 3, 2, 2, generator=g)
    ignored = torch.full((4, 4, 4), 255)
    head = torch.nn.Conv2d(3, 2, 1)
    assert evaluate_probe(head, feats, ignored, 2)['aAcc'] == 0


def test_dense_eval_prompt_point_segmentation(tmp_path):
    import json
    out = tmp_path / 'prompt.json'
    proc = subprocess.run(
        [sys.executable, 'tools/benchmarks/dense_eval.py',
         'tests/data/densecl_tiny_deterministic.py', '--eval', 'prompt',
         '--num-train', '2', '--num-val', '3', '--size', '64', '--out',
         str(out)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    prompt = json.loads(out.read_text())['prompt']
    from densessl.datasets import scene_arrays
    _, _, ids = scene_arrays(range(2_000_000, 2_000_003), (64, 64),
                             instances=True)
    assert prompt['objects'] == sum(len(i.unique()) - 1 for i in ids)
    assert 0 <= prompt['mIoU'] <= 100 and 0 <= prompt['mIoU_best'] <= 100
    assert 'prompt: mIoU' in proc.stdout and 'probe' not in \
        json.loads(out.read_text())
