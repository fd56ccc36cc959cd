"""ViTs as dense backbones: patch maps without prefix tokens at any input
size, the final LayerNorm where asked, channels read by the necks, one loss
step of every method on a ViT-tiny."""
import glob
import os

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from densessl.models.backbones import TimmBackbone
from densessl.registry import DATASETS, MODELS
from helpers import REPO_ROOT

ROOT = REPO_ROOT
VIT_TINY_CONFIGS = sorted(glob.glob(
    os.path.join(ROOT, 'configs', '*', '*_vit-tiny-*_scenes.py')))


@pytest.mark.parametrize('size, kwargs, grid', [
    ((128, 128), dict(img_size=128), (8, 8)),
    ((96, 96), dict(img_size=96), (6, 6)),
    ((96, 160), dict(dynamic_img_size=True), (6, 10)),
])
def test_patch_maps_at_non_224_sizes(size, kwargs, grid):
    backbone = TimmBackbone('vit_tiny_patch16_224', out_indices=(5, 11),
                            **kwargs)
    feats = backbone(torch.randn(2, 3, *size))
    assert [f.shape for f in feats] == [(2, 192, *grid)] * 2
    assert backbone.out_channels == (192, 192)
    # blocks after the deepest one asked for are gone
    assert len(backbone.timm_model.model.blocks) == 12
    shallow = TimmBackbone('vit_tiny_patch16_224', out_indices=(3, ),
                           **kwargs)
    assert len(shallow.timm_model.model.blocks) == 4


def test_final_norm_gives_the_normed_patch_tokens_of_the_full_model():
    import timm
    torch.manual_seed(0)
    full = timm.create_model('vit_tiny_patch16_224', img_size=64,
                             num_classes=0).eval()
    ours = TimmBackbone('vit_tiny_patch16_224', img_size=64,
                        out_indices=(-1, ), final_norm=True).eval()
    missing = ours.timm_model.model.load_state_dict(full.state_dict(),
                                                    strict=False)
    assert not missing.missing_keys
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        tokens = full.forward_features(x)       # norm applied, cls first
        patch = tokens[:, full.num_prefix_tokens:]
        expected = patch.transpose(1, 2).reshape(2, 192, 4, 4)
        assert torch.allclose(ours(x)[-1], expected, atol=1e-5)
        raw = TimmBackbone('vit_tiny_patch16_224', img_size=64,
                           out_indices=(-1, )).eval()
        raw.timm_model.model.load_state_dict(full.state_dict(),
                                             strict=False)
        assert not torch.allclose(raw(x)[-1], expected, atol=1e-3)


def test_resnet_only_arguments_and_norm_on_cnns_are_refused():
    with pytest.raises(ValueError, match='zero_init_last'):
        TimmBackbone('vit_tiny_patch16_224', zero_init_last=True)
    with pytest.raises(ValueError, match='ViT-like'):
        TimmBackbone('resnet18', final_norm=True)


def test_necks_read_their_channels_from_the_backbone():
    from helpers import detcon_cfg
    cfg = detcon_cfg('B')
    cfg['backbone'] = dict(type='TimmBackbone',
                           model_name='vit_tiny_patch16_224', img_size=64,
                           out_indices=(-1, ))
    cfg['neck']['in_channels'] = None
    model = MODELS.build(cfg)
    assert model.neck.mlp[0].in_features == 192
    assert model.momentum_encoder.neck.mlp[0].in_features == 192


def test_every_method_has_a_vit_tiny_config():
    methods = {os.path.basename(p).split('_vit')[0] for p in
               VIT_TINY_CONFIGS}
    assert methods == {'mocov2', 'densecl', 'byol', 'pixpro', 'slotcon',
                       'detcon-b'}


@pytest.mark.parametrize('path', VIT_TINY_CONFIGS,
                         ids=[os.path.basename(p) for p in VIT_TINY_CONFIGS])
def test_one_loss_step_on_vit_tiny(path, tmp_path):
    cfg = Config.fromfile(path)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    dataset = DATASETS.build(dict(cfg.train_dataloader.dataset,
                                  num_images=4))
    data = model.data_preprocessor(pseudo_collate([dataset[i]
                                                   for i in range(4)]), True)
    losses = model(**data, mode='loss')
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    block = model.backbone.timm_model.model.blocks[-1].mlp.fc2.weight
    assert block.grad is not None and block.grad.abs().sum() > 0
