"""DINOv2's linear segmentation protocol: ``densessl.BNLinearHead`` against a
direct re-derivation, and the frozen-backbone configs that use it.

Needs mmsegmentation (``bash tools/install_transfer.sh``, which ``.ci/run``
runs)."""
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
SCENES = ('configs/benchmarks/mmsegmentation/'
          'bnlinear_timm-vit-tiny-p16_1xb8-1k_scenes-160x160.py')
ADE = ('configs/benchmarks/mmsegmentation/'
       'bnlinear_timm-vit-small-p16_8xb2-40k_ade20k-512x512.py')


def build_head(**kwargs):
    from densessl.registry import MODELS
    head = MODELS.build(dict(type='BNLinearHead', num_classes=5,
                             dropout_ratio=0.0, **kwargs))
    with torch.no_grad():  # BN affine away from its identity init
        head.bn.weight.uniform_(0.5, 1.5)
        head.bn.bias.uniform_(-0.5, 0.5)
    return head


def batch_norm_by_hand(x, weight, bias, eps):
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)  # biased
    return ((x - mean) / torch.sqrt(var + eps) * weight[None, :, None, None]
            + bias[None, :, None, None])


def classify_by_hand(head, x):
    x = batch_norm_by_hand(x, head.bn.weight, head.bn.bias, head.bn.eps)
    w = head.conv_seg.weight[:, :, 0, 0]
    return torch.einsum('kc,nchw->nkhw', w, x) + \
        head.conv_seg.bias[None, :, None, None]


def test_head_is_resize_concat_batchnorm_then_1x1_conv():
    torch.manual_seed(0)
    head = build_head(in_channels=[3, 4], in_index=[2, 0], channels=7).train()
    fine, mid, coarse = (torch.randn(2, 4, 6, 6), torch.randn(2, 5, 4, 4),
                         torch.randn(2, 3, 3, 3))
    out = head([fine, mid, coarse])
    # in_index [2, 0]: the coarse map leads, so the grid is 3x3 and the
    # fine map is brought down to it bilinearly
    expected = torch.cat([coarse, F.interpolate(
        fine, size=(3, 3), mode='bilinear', align_corners=False)], dim=1)
    assert out.shape == (2, 5, 3, 3)
    assert torch.allclose(out, classify_by_hand(head, expected), atol=1e-5)
    out.sum().backward()
    assert head.bn.weight.grad is not None
    assert head.conv_seg.weight.grad.abs().sum() > 0


def test_resize_factors_scale_each_level_before_the_concat():
    torch.manual_seed(1)
    head = build_head(in_channels=[2, 2], in_index=[0, 1], channels=4,
                      resize_factors=[2.0, 0.5]).train()
    a, b = torch.randn(2, 2, 4, 4), torch.randn(2, 2, 8, 8)
    out = head([a, b])
    a2 = F.interpolate(a, scale_factor=2.0, mode='bilinear')
    b2 = F.interpolate(b, scale_factor=0.5, mode='area')  # 4x4 averages
    assert torch.allclose(b2, b.unfold(2, 2, 2).unfold(3, 2, 2).mean((-1, -2)))
    b2 = F.interpolate(b2, size=(8, 8), mode='bilinear', align_corners=False)
    assert out.shape == (2, 5, 8, 8)
    assert torch.allclose(out, classify_by_hand(head, torch.cat([a2, b2], 1)),
                          atol=1e-5)


@pytest.mark.parametrize('kwargs, message', [
    (dict(in_channels=[3, 4], in_index=[0, 1], channels=8), 'must equal'),
    (dict(in_channels=[3], in_index=[0], channels=3,
          resize_factors=[1.0, 2.0]), '2 resize_factors for 1 levels'),
])
def test_head_refuses_inconsistent_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_head(**kwargs)


def build_segmentor(config, img_size=None):
    from mmengine.config import Config
    from mmseg.registry import MODELS

    from densessl.apis.transfer import prepare_config, register_task
    cfg = Config.fromfile(osp.join(ROOT, config))
    cfg.scene_splits = None
    if img_size:
        cfg.model.backbone.img_size = img_size
        cfg.model.test_cfg = dict(mode='whole')
    prepare_config(cfg, 'seg', None)
    register_task('seg')
    return cfg, MODELS.build(cfg.model)


@pytest.mark.parametrize('config, size', [(SCENES, None), (ADE, 64)])
def test_frozen_backbone_protocol_trains_only_the_head(config, size):
    from mmengine.optim import build_optim_wrapper
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    torch.manual_seed(0)
    cfg, model = build_segmentor(config, size)
    if size:  # SyncBN needs a process group to train; one process uses BN
        model.decode_head.bn = torch.nn.BatchNorm2d(384)
    side = size or 160
    model.train()
    assert not model.backbone.training
    assert not any(p.requires_grad for p in model.backbone.parameters())
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    samples = []
    for _ in range(2):
        sample = SegDataSample()
        sample.gt_sem_seg = PixelData(data=torch.randint(
            0, cfg.model.decode_head.num_classes, (1, side, side)))
        sample.set_metainfo(dict(img_shape=(side, side),
                                 pad_shape=(side, side)))
        samples.append(sample)
    images = torch.randn(2, 3, side, side)
    losses = model.loss(images, samples)
    optim.update_params(sum(v for k, v in losses.items() if 'loss' in k))
    after = model.state_dict()
    backbone = [k for k in after if k.startswith('backbone.')]
    assert len(backbone) > 50
    assert all(torch.equal(before[k], after[k]) for k in backbone)
    assert not torch.equal(before['decode_head.conv_seg.weight'],
                           after['decode_head.conv_seg.weight'])
    # the head sees the final-normed patch map of the last block
    grid = side // 16
    with torch.no_grad():
        feats = model.extract_feat(images)
    assert [f.shape for f in feats] == [(2, model.decode_head.in_channels,
                                         grid, grid)]
    assert torch.allclose(feats[0].mean(1), torch.zeros(2, grid, grid),
                          atol=1e-4)  # LayerNorm output (affine at init)


def test_without_mmseg_the_head_says_how_to_install_it(monkeypatch):
    import sys

    from densessl.registry import MODELS
    monkeypatch.setitem(sys.modules, 'mmseg', None)  # import fails
    with pytest.raises(ImportError, match='install_transfer.sh'):
        MODELS.build(dict(type='BNLinearHead', in_channels=[3], in_index=[0],
                          channels=3, num_classes=2))
