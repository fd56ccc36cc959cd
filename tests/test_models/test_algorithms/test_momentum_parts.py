"""The momentum copy's parts carry the online parts' names; the backbone
prefixes the export tools use are where the weights really are; every
shipped 2D algorithm's loss is a dict of losses; the transfer branch."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from densessl.models.utils import BACKBONE_PREFIX, MomentumCopy
from densessl.registry import MODELS
from densessl.setup_env import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
register_all_modules(init_default_scope=False)
SMALL = sorted(glob.glob(osp.join(ROOT, 'configs/*/*6e_scenes.py')))


def test_named_parts_are_the_indexed_copies():
    online = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1))
    copy = MomentumCopy(online, ['backbone', 'neck'])
    assert copy.backbone is copy.module[0] and copy.neck is copy.module[1]
    assert sorted(copy.state_dict()) == ['module.0.bias', 'module.0.weight',
                                         'module.1.bias', 'module.1.weight']
    with pytest.raises(AttributeError):
        copy.head
    with pytest.raises(ValueError, match='3 names for 2 parts'):
        MomentumCopy(online, ['a', 'b', 'c'])


@pytest.mark.parametrize('config', SMALL, ids=osp.basename)
def test_parts_prefixes_and_the_loss_contract(config):
    cfg = Config.fromfile(config).model
    if cfg.backbone.model_name.startswith('resnet'):  # ViTs stay ViT-tiny
        cfg.backbone.model_name = 'resnet10t'
        if 'neck' in cfg and 'in_channels' in cfg.neck:
            cfg.neck.in_channels = 512
    model = MODELS.build(cfg)
    if hasattr(model, 'momentum_encoder'):  # DetCon-S has no momentum copy
        names = list(model.online_parts)
        assert names[0] == 'backbone' and model.momentum_encoder.names == \
            tuple(names)
        state = model.state_dict()
        for branch, module in (('online', model.backbone),
                               ('teacher', model.momentum_encoder.backbone)):
            keys = {k[len(BACKBONE_PREFIX[branch]):] for k in state
                    if k.startswith(BACKBONE_PREFIX[branch])}
            assert keys == set(module.state_dict())
        assert model.transfer_branch == ('teacher' if cfg.type == 'SlotCon'
                                         else 'online')
    model.train()
    from densessl.datasets import SceneDataset
    ds = SceneDataset(num_images=2, image_size=(64, 64),
                      pipeline=Config.fromfile(config)
                      .train_dataloader.dataset.pipeline)
    batch = [ds[0], ds[1]]
    from mmengine.dataset import pseudo_collate
    data = model.data_preprocessor(pseudo_collate(batch), True)
    losses = model(**data, mode='loss')
    assert isinstance(losses, dict) and losses
    for name, value in losses.items():
        assert name.startswith('loss') and value.dim() == 0, name
        assert torch.isfinite(value)
