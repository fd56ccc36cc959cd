import pytest
import torch

from densessl.structures import DataSample
from helpers import TINY_BACKBONE, build, two_views


def pixpro_cfg(instance_loss_weight=0.0):
    return dict(
        type='PixPro',
        ema_decay=0.9,
        instance_loss_weight=instance_loss_weight,
        backbone=dict(TINY_BACKBONE),
        neck=dict(type='ConvMLPNeck', in_channels=512, hid_channels=32,
                  out_channels=16),
        head=dict(type='PixProHead',
                  ppm=dict(type='PixelPropagationModule', channels=16)),
        instance_neck=dict(type='ConvMLPNeck', in_channels=512,
                           hid_channels=32, out_channels=16),
        instance_head=dict(type='BYOLHead', predictor=dict(
            type='ConvMLPNeck', in_channels=16, hid_channels=32,
            out_channels=16)))


def samples(boxes):
    out = []
    for pair in boxes:
        s = DataSample()
        s.crop_boxes = torch.tensor(pair, dtype=torch.float32)
        out.append(s)
    return out


OVERLAP = [[0.0, 0.0, 1.0, 1.0], [0.1, 0.1, 0.9, 0.9]]
DISJOINT = [[0.0, 0.0, 0.3, 0.3], [0.6, 0.6, 1.0, 1.0]]


def test_pixpro_step_invariants():
    model = build(pixpro_cfg())
    model.train()
    views = two_views(batch=4)
    losses = model.loss(views, samples([OVERLAP] * 4))
    assert set(losses) == {'loss_pixpro'}
    loss = losses['loss_pixpro']
    assert -4 <= float(loss) <= 4
    loss.backward()
    assert model.head.ppm.transform.weight.grad is not None
    assert model.backbone.timm_model.conv1.weight.grad is not None
    for p in model.momentum_encoder.parameters():
        assert p.grad is None and not p.requires_grad
    assert not hasattr(model, 'instance_neck')


def test_no_overlap_and_batch_of_one_give_finite_zero():
    model = build(pixpro_cfg())
    model.train()
    views = two_views(batch=2)
    loss = model.loss(views, samples([DISJOINT] * 2))['loss_pixpro']
    assert torch.isfinite(loss) and float(loss) == 0.0
    loss.backward()  # no NaN in gradients either
    assert all(torch.isfinite(p.grad).all() for p in model.parameters()
               if p.grad is not None)
    # a batch of one in eval mode BN is fine; in train mode BN over a single
    # 1x1 pixel map would fail, but dense maps have H*W > 1 values
    one = model.loss(two_views(batch=1), samples([OVERLAP]))['loss_pixpro']
    assert torch.isfinite(one)


def test_instance_branch_built_and_weighted():
    model = build(pixpro_cfg(instance_loss_weight=0.5))
    model.train()
    twin = model.momentum_encoder.module[2]  # the one momentum copy's third
    own = list(model.instance_neck.parameters())
    assert len(own) == len(list(twin.parameters())) > 0
    assert all(torch.equal(p_o, p_m) for p_o, p_m in
               zip(own, twin.parameters()))
    before = [p.clone() for p in twin.parameters()]
    losses = model.loss(two_views(batch=4), samples([OVERLAP] * 4))
    assert set(losses) == {'loss_pixpro', 'loss_instance'}
    assert -2.0 - 1e-5 <= float(losses['loss_instance']) <= 2.0 + 1e-5
    sum(losses.values()).backward()
    assert model.instance_head.predictor.mlp[0].weight.grad is not None
    assert all(p.grad is None for p in twin.parameters())
    torch.optim.SGD(model.parameters(), lr=0.5).step()
    model.loss(two_views(batch=4), samples([OVERLAP] * 4))
    # the EMA step moved the copy towards the updated online projector
    decay = model.ema_decay
    for b, p_m, p_o in zip(before, twin.parameters(), own):
        assert torch.allclose(p_m, decay * b + (1 - decay) * p_o, atol=1e-6)


def test_checkpoint_with_the_old_separate_instance_copy_loads():
    model = build(pixpro_cfg(instance_loss_weight=0.5))
    state = model.state_dict()
    old = {('momentum_instance_neck.module.' + k[len(
        'momentum_encoder.module.2.'):] if k.startswith(
        'momentum_encoder.module.2.') else k): v.clone() + 1
        for k, v in state.items()}
    fresh = build(pixpro_cfg(instance_loss_weight=0.5))
    fresh.load_state_dict(old, strict=True)
    key = next(k for k in state if k.startswith('momentum_encoder.module.2.'))
    assert torch.equal(fresh.state_dict()[key], state[key] + 1)


def test_missing_geometry_is_a_clear_error():
    model = build(pixpro_cfg())
    with pytest.raises(KeyError, match='crop_boxes'):
        model.loss(two_views(batch=2), [DataSample(), DataSample()])
