"""Every config in configs/ loads, its model builds, and its pipeline
builds (and, for the embedded data, yields a sample)."""
import glob
import os

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate

from densessl.registry import DATASETS, MODELS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = sorted(
    p for p in glob.glob(os.path.join(ROOT, 'configs', '**', '*.py'),
                         recursive=True)
    if '_base_' not in p and os.sep + 'benchmarks' + os.sep not in p)


def test_every_method_folder_has_its_configs_collected():
    folders = {d for d in os.listdir(os.path.join(ROOT, 'configs'))
               if d not in ('_base_', 'benchmarks')}
    collected = {os.path.relpath(p, os.path.join(ROOT, 'configs')).split(
        os.sep)[0] for p in CONFIGS}
    assert folders and collected == folders


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[os.path.relpath(p, ROOT) for p in CONFIGS])
def test_config_builds(path):
    cfg = Config.fromfile(path)
    model_cfg = cfg.model.copy()
    # tiny overrides for speed: a short queue (paper configs use 65536)
    if 'queue_len' in model_cfg:
        model_cfg.queue_len = 256
    model = MODELS.build(model_cfg)
    assert isinstance(model, torch.nn.Module)
    assert cfg.optim_wrapper.optimizer.type
    assert cfg.train_cfg.get('max_epochs') or cfg.train_cfg.get('max_iters')
    dataset = cfg.train_dataloader.dataset
    if dataset.type == 'SceneDataset':
        dataset = dict(dataset, num_images=2)
        item = DATASETS.build(dataset)[0]
        assert item['inputs'].dim() == 4
        with torch.no_grad():
            model.eval()
            data = model.data_preprocessor(
                dict(inputs=[item['inputs']],
                     data_samples=[item['data_samples']]))
            feats = model(**data, mode='tensor')
        assert feats[-1].dim() == 4
    elif dataset.type == 'SyntheticObjectDataset':
        item = DATASETS.build(dict(dataset, num_objects=2))[0]
        with torch.no_grad():
            model.eval()
            data = model.data_preprocessor(dict(inputs=[item['inputs']]))
            tokens, center = model(**data, mode='tensor')
        assert tokens.dim() == 3 and center.shape[-1] == 3
    elif dataset.type == 'SyntheticRoomDataset':
        item = DATASETS.build(dict(dataset, num_scenes=1, num_points=1500))[0]
        assert len(item['inputs']) == 2  # two views
        with torch.no_grad():
            model.eval()
            data = model.data_preprocessor(pseudo_collate([item]))
            feats = model(**data, mode='tensor')
        assert feats.shape == (len(item['inputs'][0]['coord']),
                               model.backbone.out_channels)
    else:
        # real data is not on this machine: build the pipeline only
        assert len(Compose(dataset.pipeline).transforms) == len(
            dataset.pipeline)


def test_paper_hyper_parameters():
    cfg = Config.fromfile(os.path.join(
        ROOT, 'configs/densecl/densecl_resnet50_8xb32-coslr-200e_in1k.py'))
    assert cfg.model.queue_len == 65536 and cfg.model.ema_decay == 0.999
    assert cfg.model.head.temperature == 0.2
    assert cfg.model.head.loss_lambda == 0.5
    assert cfg.optim_wrapper.optimizer.lr == 0.03
    assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4
    assert cfg.train_dataloader.batch_size == 32
    assert cfg.train_cfg.max_epochs == 200
    coco = Config.fromfile(os.path.join(
        ROOT, 'configs/densecl/densecl_resnet50_8xb32-coslr-800e_coco.py'))
    assert coco.optim_wrapper.optimizer.lr == 0.3
    assert coco.train_cfg.max_epochs == 800
    assert coco.train_dataloader.dataset.data_prefix.img_path == 'train2017/'
