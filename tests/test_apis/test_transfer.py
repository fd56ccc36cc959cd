"""Pretrained densessl backbones in mmsegmentation and mmdetection: the
weights arrive intact through init_cfg, and a few-iteration train + test on
the embedded scenes runs and reports its metrics.

Needs the transfer extras (``bash tools/install_transfer.sh``, which
``.ci/run`` runs)."""
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SEG = 'configs/benchmarks/mmsegmentation/fcn_timm-resnet18-d8_1xb8-1k_scenes-160x160.py'
DET = 'configs/benchmarks/mmdetection/mask-rcnn_timm-resnet18_fpn_1xb4-300i_scenes-160x160.py'


def export_backbone(path, seed=3):
    """A backbone export in the mm layout whose weights differ from any
    fresh initialisation."""
    from densessl.models.backbones import TimmBackbone
    from densessl.utils.export import save_tensors_only, to_layout
    torch.manual_seed(seed)
    backbone = TimmBackbone('resnet18', out_indices=(1, 2, 3, 4))
    with torch.no_grad():
        for p in backbone.parameters():
            p.add_(torch.randn_like(p) * 0.01)
    state = to_layout(backbone.state_dict(), 'mm')
    save_tensors_only(state, str(path), {'layout': 'mm'})
    return state


def small(tmp_path, num_train=8, num_val=4):
    return {'scene_splits.root': str(tmp_path / 'scenes'),
            'scene_splits.num_train': num_train,
            'scene_splits.num_val': num_val}


@pytest.mark.parametrize('task, config', [('seg', SEG), ('det', DET)])
def test_backbone_weights_arrive_through_init_cfg(tmp_path, task, config):
    from mmengine.config import Config

    from densessl.apis.transfer import prepare_config, register_task
    exported = export_backbone(tmp_path / 'backbone.pth')
    cfg = Config.fromfile(osp.join(ROOT, config))
    cfg.scene_splits = None  # no data needed to build the model
    prepare_config(cfg, task, str(tmp_path / 'backbone.pth'))
    register_task(task)
    if task == 'seg':
        from mmseg.registry import MODELS
    else:
        from mmdet.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    own = model.state_dict()
    assert len(exported) > 50
    for key, value in exported.items():
        assert torch.equal(own[key], value), key
    # without --pretrained, the same model is not the exported one
    cfg = Config.fromfile(osp.join(ROOT, config))
    cfg.scene_splits = None
    prepare_config(cfg, task, None)
    scratch = MODELS.build(cfg.model)
    scratch.init_weights()
    key = 'backbone.timm_model.layer1.0.conv1.weight'
    assert not torch.equal(scratch.state_dict()[key], exported[key])


def _transfer(tool, config, tmp_path, extra=()):
    options = [f'{k}={v}' for k, v in small(tmp_path).items()]
    cmd = [sys.executable, tool, config, '--work-dir', str(tmp_path / 'run'),
           '--max-iters', '4', '--cfg-options', *options, *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


def test_seg_transfer_trains_and_reports_miou(tmp_path):
    export_backbone(tmp_path / 'backbone.pth')
    proc = _transfer('tools/benchmarks/seg_transfer.py', SEG, tmp_path,
                     ['--pretrained', str(tmp_path / 'backbone.pth')])
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert 'mIoU' in proc.stdout
    metrics = json.loads((tmp_path / 'run' / 'transfer_metrics.json').read_text())
    assert 0 <= metrics['mIoU'] <= 100
    assert (tmp_path / 'scenes' / 'val' / 'annotations').is_dir()


def test_det_transfer_trains_and_reports_ap(tmp_path):
    proc = _transfer('tools/benchmarks/det_transfer.py', DET, tmp_path)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    metrics = json.loads((tmp_path / 'run' / 'transfer_metrics.json').read_text())
    assert 'coco/bbox_mAP' in metrics and 'coco/segm_mAP' in metrics
    assert metrics['pretrained'] == 'random init'


def test_transfer_refuses_a_training_checkpoint(tmp_path):
    torch.save({'state_dict': {'backbone.x': torch.zeros(1),
                               'neck.y': torch.zeros(1)}},
               tmp_path / 'full.pth')
    proc = _transfer('tools/benchmarks/seg_transfer.py', SEG, tmp_path,
                     ['--pretrained', str(tmp_path / 'full.pth')])
    assert proc.returncode != 0
    assert 'export its backbone first' in proc.stderr


def test_paper_protocol_configs_load_with_densessl_backbone():
    import glob

    from mmengine.config import Config
    paths = [p for d in ('mmsegmentation', 'mmdetection')
             for p in glob.glob(osp.join(ROOT, 'configs/benchmarks', d, '*.py'))]
    assert len(paths) >= 7
    for path in paths:
        cfg = Config.fromfile(path)
        assert cfg.model.backbone.type == 'densessl.TimmBackbone', path
        assert cfg.model.backbone.get('pretrained', False) is False


@pytest.mark.parametrize('registry', ['mmseg', 'mmdet'])
def test_mm_resnet_layout_loads_into_openmmlab_resnet(tmp_path, registry):
    import importlib

    from densessl.models.backbones import TimmBackbone
    from densessl.utils.export import save_tensors_only, to_layout
    torch.manual_seed(0)
    ours = TimmBackbone('resnet18', out_indices=(1, 2, 3, 4)).eval()
    save_tensors_only(to_layout(ours.state_dict(), 'mm-resnet'),
                      str(tmp_path / 'r18.pth'))
    models = importlib.import_module(f'{registry}.registry').MODELS
    theirs = models.build(dict(
        type=f'{registry}.ResNet', depth=18, out_indices=(0, 1, 2, 3),
        init_cfg=dict(type='Pretrained', prefix='backbone.',
                      checkpoint=str(tmp_path / 'r18.pth'))))
    theirs.init_weights()
    theirs.eval()
    x = torch.randn(1, 3, 64, 64)
    for a, b in zip(ours(x), theirs(x)):  # same function, C2..C5
        assert torch.allclose(a, b, atol=1e-5)


def test_missing_extra_gives_install_hint(monkeypatch):
    from mmengine.config import Config

    from densessl.apis.transfer import prepare_config
    monkeypatch.setitem(sys.modules, 'mmseg', None)  # import fails
    cfg = Config.fromfile(osp.join(ROOT, SEG))
    with pytest.raises(ImportError, match='install_transfer.sh'):
        prepare_config(cfg, 'seg')


VIT_SEG = ('configs/benchmarks/mmsegmentation/'
           'linear_timm-vit-tiny-p16_1xb8-1k_scenes-160x160.py')
# DINOv2's linear protocol: frozen backbone, BNLinearHead
VIT_BNLINEAR = ('configs/benchmarks/mmsegmentation/'
                'bnlinear_timm-vit-tiny-p16_1xb8-1k_scenes-160x160.py')


@pytest.mark.parametrize('config', [VIT_SEG, VIT_BNLINEAR])
def test_vit_seg_transfer(tmp_path, config):
    from densessl.models.backbones import TimmBackbone
    from densessl.utils.export import save_tensors_only, to_layout
    torch.manual_seed(0)
    backbone = TimmBackbone('vit_tiny_patch16_224', img_size=160,
                            out_indices=(-1, ))
    save_tensors_only(to_layout(backbone.state_dict(), 'mm'),
                      str(tmp_path / 'vit.pth'), {'layout': 'mm'})
    proc = _transfer('tools/benchmarks/seg_transfer.py', config, tmp_path,
                     ['--pretrained', str(tmp_path / 'vit.pth')])
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    metrics = json.loads((tmp_path / 'run' / 'transfer_metrics.json').read_text())
    assert 0 <= metrics['mIoU'] <= 100


def test_vit_upernet_builds_and_gives_a_4_level_pyramid():
    from mmengine.config import Config
    from mmseg.registry import MODELS

    from densessl.apis.transfer import prepare_config
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs/benchmarks/mmsegmentation/'
        'upernet_timm-vit-small-p16_4xb4-80k_ade20k-512x512.py'))
    cfg.model.backbone.img_size = 64  # the real config uses 512
    prepare_config(cfg, 'seg', None)
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        feats = model.neck(model.backbone(torch.randn(1, 3, 64, 64)))
    assert [f.shape[-1] for f in feats] == [16, 8, 4, 2]
    assert all(f.shape[1] == 384 for f in feats)


def test_layer_decay_constructor_scales_lr_by_depth():
    from mmengine.optim import build_optim_wrapper

    from densessl.models.backbones import TimmBackbone
    model = torch.nn.Module()
    model.backbone = TimmBackbone('vit_tiny_patch16_224', img_size=32,
                                  out_indices=(-1, ))
    model.head = torch.nn.Conv2d(192, 3, 1)
    wrapper = build_optim_wrapper(model, dict(
        type='OptimWrapper',
        optimizer=dict(type='AdamW', lr=1.0, weight_decay=0.05),
        constructor='densessl.ViTLayerDecayOptimWrapperConstructor',
        paramwise_cfg=dict(layer_decay_rate=0.5)))
    groups = {g['param_name']: g for g in wrapper.optimizer.param_groups}
    prefix = 'backbone.timm_model.model.'
    assert groups['head.weight']['lr'] == 1.0  # after the last block
    assert groups[prefix + 'blocks.11.attn.qkv.weight']['lr'] == 0.5
    assert groups[prefix + 'blocks.0.attn.qkv.weight']['lr'] == 0.5 ** 12
    assert groups[prefix + 'patch_embed.proj.weight']['lr'] == 0.5 ** 13
    assert groups[prefix + 'pos_embed']['weight_decay'] == 0.0
    assert groups[prefix + 'blocks.0.norm1.weight']['weight_decay'] == 0.0
    assert groups[prefix + 'blocks.0.attn.qkv.weight']['weight_decay'] == 0.05


def test_max_iters_scales_every_scheduler_phase():
    from mmengine.config import Config

    from densessl.apis.transfer import prepare_config
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs/benchmarks/mmsegmentation/'
        'upernet_timm-vit-small-p16_4xb4-80k_ade20k-512x512.py'))
    # warm-up 0-1500 then poly 1500-80000, shortened 10x and 20000x
    prepare_config(cfg, 'seg', None, max_iters=8000)
    warmup, poly = cfg.param_scheduler
    assert (warmup.begin, warmup.end) == (0, 150)
    assert (poly.begin, poly.end) == (150, 8000)
    prepare_config(cfg, 'seg', None, max_iters=4)
    warmup, poly = cfg.param_scheduler
    assert warmup.end > warmup.begin and poly.end > poly.begin
    assert poly.end == 4 and cfg.train_cfg.max_iters == 4
