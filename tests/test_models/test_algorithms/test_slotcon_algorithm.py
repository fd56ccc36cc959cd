import torch

from densessl.structures import DataSample
from helpers import TINY_BACKBONE, build, two_views


def slotcon_cfg(k=6):
    return dict(
        type='SlotCon',
        ema_decay=0.9,
        backbone=dict(TINY_BACKBONE),
        neck=dict(type='ConvMLPNeck', in_channels=512, hid_channels=32,
                  out_channels=16, num_layers=3, act='gelu',
                  init='trunc_normal'),
        head=dict(type='SlotConHead',
                  grouping=dict(type='SemanticGrouping', num_prototypes=k,
                                dim=16),
                  predictor=dict(type='MLPHead', in_channels=16,
                                 hid_channels=32, out_channels=16)))


def samples(n, boxes, flips, shape=(64, 64)):
    out = []
    for _ in range(n):
        s = DataSample(metainfo=dict(ori_shape=shape))
        s.crop_boxes = torch.tensor(boxes, dtype=torch.float32)
        s.flips = torch.tensor(flips)
        out.append(s)
    return out


def test_slotcon_step_invariants():
    model = build(slotcon_cfg())
    model.train()
    teacher_before = [p.clone() for p in model.momentum_encoder.parameters()]
    online_before = [p.clone() for p in model.online_encoder.parameters()]
    losses = model.loss(two_views(batch=4),
                        samples(4, [[0, 0, 1, 1], [0.9, 0.1, 0.2, 0.8]],
                                [False, True]))
    assert set(losses) == {'loss_group', 'loss_slot'}
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    # EMA covers backbone, projector and prototypes
    for p_t, t0, o0 in zip(model.momentum_encoder.parameters(),
                           teacher_before, online_before):
        assert torch.allclose(p_t, 0.9 * t0 + 0.1 * o0, atol=1e-6)
        assert p_t.grad is None
    assert model.head.grouping.prototypes.weight.grad is not None
    assert model.backbone.timm_model.conv1.weight.grad is not None
    assert not torch.equal(model.head.center, torch.zeros_like(
        model.head.center))


def test_no_overlap_pair_is_finite():
    model = build(slotcon_cfg())
    model.train()
    losses = model.loss(two_views(batch=2),
                        samples(2, [[0, 0, 0.3, 0.3], [0.6, 0.6, 1, 1]],
                                [False, False]))
    assert all(torch.isfinite(v) for v in losses.values())


def test_predict_exposes_slot_assignment_from_teacher():
    model = build(slotcon_cfg(k=6))
    model.eval()
    with torch.no_grad():
        model.momentum_encoder.module[0].timm_model.conv1.weight.mul_(2)
        out = model.predict(two_views(batch=2)[:1])
        feats = model(two_views(batch=2)[:1], mode='tensor')
        teacher = model.momentum_encoder.module[0](two_views(batch=2)[0])
    assert out[0].slot_assignment.shape == (2, 2)
    assert out[0].slot_assignment.max() < 6
    assert out[0].slot_scores.shape == (6, 2, 2)
    assert torch.equal(feats[-1], teacher[-1])  # the transferred backbone
