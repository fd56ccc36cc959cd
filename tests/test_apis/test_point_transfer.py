"""3D transfer: the fine-tuning models (official sizes and heads), their
metrics against hand re-derivations, pretrained weights arriving through
init_cfg, and the point_transfer tool end to end on tiny embedded data."""
import glob
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from densessl.datasets import OBJECT_CLASSES, PART_NAMES, ROOM_CLASSES
from densessl.evaluation import (PartSegIoUMetric, PointAccuracyMetric,
                                 shape_part_iou)
from densessl.registry import DATASETS, MODELS
from densessl.utils.export import save_tensors_only, to_layout

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BENCH = osp.join(ROOT, 'configs', 'benchmarks')
CONFIGS = sorted(p for d in ('point_transfer', 'seg3d')
                 for p in glob.glob(osp.join(BENCH, d, '[!_]*.py')))
CLS_SMALL = osp.join(BENCH, 'point_transfer',
                     'pointtransformer-small_cls_1xb32-adamw-8e_objects.py')


def test_official_parameter_counts():
    cfg = Config.fromfile(osp.join(
        BENCH, 'point_transfer',
        'pointtransformer_cls_1xb32-adamw-300e_modelnet40.py'))
    model = MODELS.build(cfg.model)
    # Point-MAE's PointTransformer with the ModelNet40 head
    assert sum(p.numel() for p in model.parameters()) == 22_099_752
    # the cls token / position are fresh parameters, not backbone ones
    assert not any('token' in k for k in model.backbone.state_dict())


def test_embedded_configs_match_the_data_sets():
    part = Config.fromfile(osp.join(
        BENCH, 'point_transfer',
        'pointtransformer-small_partseg_1xb16-adamw-6e_objects.py'))
    expected = [[PART_NAMES.index(n) for n in PART_NAMES
                 if n.startswith(c + '/')] for c in OBJECT_CLASSES]
    assert [list(p) for p in part.model.class_parts] == expected
    seg = Config.fromfile(osp.join(
        BENCH, 'seg3d', 'minkunet14-small_semseg_1xb2-sgd-200i_rooms.py'))
    assert tuple(seg.room_classes) == ROOM_CLASSES


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.relpath(p, BENCH) for p in CONFIGS])
def test_config_builds_and_embedded_ones_run_a_step(path):
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    dataset = cfg.train_dataloader.dataset
    if dataset.type not in ('SyntheticObjectDataset', 'SyntheticRoomDataset'):
        return  # real data is not on this machine
    size = dict(num_objects=4) if 'num_objects' in dataset else dict(
        num_scenes=2, num_points=2000)
    data = pseudo_collate([DATASETS.build(dict(dataset, **size))[i]
                           for i in range(2)])
    model.train()
    losses = model(**model.data_preprocessor(data, True), mode='loss')
    loss = sum(losses.values())
    loss.backward()
    assert torch.isfinite(loss)
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.backbone.parameters())
    model.eval()
    test = pseudo_collate([DATASETS.build(dict(
        cfg.val_dataloader.dataset, **size))[i] for i in range(2)])
    with torch.no_grad():
        samples = model(**model.data_preprocessor(test), mode='predict')
    assert len(samples) == 2
    for sample in samples:
        assert sample.pred_label.shape == sample.gt_label.shape
    if dataset.type == 'SyntheticRoomDataset':
        # scored on every point of the scene, not on the voxels
        assert samples[0].pred_label.shape == (2000, )


def test_accuracy_and_part_iou_against_hand_computation():
    acc = PointAccuracyMetric()
    acc.process(None, [dict(pred_label=torch.tensor(p), gt_label=torch.tensor(g))
                       for p, g in [(0, 0), (1, 0), (1, 1), (2, 2)]])
    out = acc.compute_metrics(acc.results)
    assert out['acc'] == 75.0
    assert np.isclose(out['mAcc'], (0.5 + 1 + 1) / 3 * 100)

    pred = torch.tensor([0, 0, 1, 1, 1])
    gt = torch.tensor([0, 1, 1, 1, 1])
    # part 0: 1/2, part 1: 3/4, part 2 absent from both: 1
    assert np.isclose(shape_part_iou(pred, gt, [0, 1, 2]), (0.5 + 0.75 + 1) / 3)
    metric = PartSegIoUMetric()
    metric.process(None, [
        dict(label=0, pred_label=pred, gt_label=gt,
             allowed_parts=torch.tensor([0, 1, 2])),
        dict(label=0, pred_label=gt, gt_label=gt,
             allowed_parts=torch.tensor([0, 1, 2])),
        dict(label=1, pred_label=torch.tensor([3, 3]),
             gt_label=torch.tensor([3, 4]), allowed_parts=torch.tensor([3, 4]))])
    out = metric.compute_metrics(metric.results)
    shapes = [(0.5 + 0.75 + 1) / 3, 1.0, (0.5 + 0) / 2]
    assert np.isclose(out['ins_mIoU'], np.mean(shapes) * 100)
    assert np.isclose(out['cls_mIoU'],
                      np.mean([np.mean(shapes[:2]), shapes[2]]) * 100)


def _pretrained_encoder(path):
    """A Point-CMAE encoder export (mm layout) with non-default weights."""
    cfg = Config.fromfile(CLS_SMALL)
    backbone = MODELS.build(cfg.model.backbone)
    with torch.no_grad():
        for p in backbone.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    state = to_layout(backbone.state_dict(), 'mm')
    save_tensors_only(state, str(path), {'layout': 'mm'})
    return state


def test_pretrained_encoder_arrives_through_init_cfg(tmp_path):
    state = _pretrained_encoder(tmp_path / 'encoder.pth')
    cfg = Config.fromfile(CLS_SMALL)
    cfg.model.backbone.init_cfg = dict(type='Pretrained', prefix='backbone.',
                                       checkpoint=str(tmp_path / 'encoder.pth'))
    model = MODELS.build(cfg.model)
    model.init_weights()
    own = model.state_dict()
    for key, value in state.items():
        assert torch.equal(own[key], value), key


def test_point_transfer_tool_reports_accuracy(tmp_path):
    _pretrained_encoder(tmp_path / 'encoder.pth')
    env = dict(__import__('os').environ, PYTHONPATH=ROOT,
               CUDA_VISIBLE_DEVICES='')
    proc = subprocess.run(
        [sys.executable, 'tools/benchmarks/point_transfer.py', CLS_SMALL,
         '--pretrained', str(tmp_path / 'encoder.pth'), '--work-dir',
         str(tmp_path / 'work'), '--cfg-options', 'train_cfg.max_epochs=1',
         'train_cfg.val_interval=1', 'train_dataloader.dataset.num_objects=32',
         'val_dataloader.dataset.num_objects=8',
         'test_dataloader.dataset.num_objects=8'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'cls3d transfer of' in proc.stdout
    # the head's BN statistics were re-estimated on the 32 training objects
    # (through the test pipeline) before validation and again before test
    assert (proc.stdout + proc.stderr).count(
        'BatchNorm layers of "head" re-estimated on 32 samples') == 2
    metrics = json.loads((tmp_path / 'work' /
                          'transfer_metrics.json').read_text())
    assert 0 <= metrics['cls/acc'] <= 100
    assert metrics['pretrained'].endswith('encoder.pth')


def test_max_iters_on_an_epoch_config_says_what_to_do():
    from densessl.apis.transfer import prepare_config
    cfg = Config.fromfile(CLS_SMALL)
    with pytest.raises(ValueError, match='train_cfg.max_epochs'):
        prepare_config(cfg, 'cls3d', max_iters=5)


@pytest.mark.parametrize('num_classes', [2, 40])
def test_a_head_that_does_not_fit_the_data_stops_first(tmp_path,
                                                       num_classes):
    env = dict(__import__('os').environ, PYTHONPATH=ROOT,
               CUDA_VISIBLE_DEVICES='')
    proc = subprocess.run(
        [sys.executable, 'tools/benchmarks/point_transfer.py', CLS_SMALL,
         '--work-dir', str(tmp_path / 'work'), '--cfg-options',
         f'model.num_classes={num_classes}'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        'error: the training data has 4 classes (table, lamp, mug, rocket) '
        f'but model.num_classes is {num_classes}; set --cfg-options '
        'model.num_classes=4')
    assert not (tmp_path / 'work').exists()
