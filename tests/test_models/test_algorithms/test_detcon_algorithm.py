"""DetCon-B / -S: gradients, ids shared by online and target, target init,
errors (the loss and its gathered negatives: tests/test_models/test_losses)."""
import pytest
import torch

from helpers import build, detcon_cfg, region_samples, two_views


def test_detcon_b_gradients_and_shared_ids(monkeypatch):
    torch.manual_seed(0)
    model = build(detcon_cfg('B'))
    model.train()
    seen = {}
    loss_fn = model.head.loss

    def spy(**kwargs):
        seen.update(kwargs)
        return loss_fn(**kwargs)
    monkeypatch.setattr(model.head, 'loss', spy)
    losses = model.loss(two_views(batch=4), region_samples(batch=4))
    assert set(losses) == {'loss'} and torch.isfinite(losses['loss'])
    losses['loss'].backward()
    assert seen['online1'].shape == (4, 4, 8)
    assert seen['ids1'].shape == (4, 4)
    # the online ids were drawn from the masks present in view 1
    assert set(seen['ids1'].unique().tolist()) <= {0, 1, 2, 3}
    assert not seen['target1'].requires_grad
    for part in (model.backbone, model.neck, model.head.predictor):
        assert any(p.grad is not None and p.grad.abs().sum() > 0
                   for p in part.parameters())
    assert all(p.grad is None for p in model.momentum_encoder.parameters())


def test_detcon_b_target_init_independent_or_copied():
    torch.manual_seed(0)
    independent = build(detcon_cfg('B'))
    copied = build(detcon_cfg('B', target_init='copy'))
    w = 'timm_model.conv1.weight'
    assert not torch.equal(independent.backbone.state_dict()[w],
                           independent.momentum_encoder.backbone.state_dict()[w])
    assert torch.equal(copied.backbone.state_dict()[w],
                       copied.momentum_encoder.backbone.state_dict()[w])


def test_detcon_s_gradient_through_both_sides():
    torch.manual_seed(0)
    model = build(detcon_cfg('S'))
    model.train()
    losses = model.loss(two_views(batch=4), region_samples(batch=4))
    losses['loss'].backward()
    assert model.head.predictor is None
    assert model.neck.mlp[0].weight.grad.abs().sum() > 0


def test_missing_masks_are_named():
    model = build(detcon_cfg('B'))
    with pytest.raises(KeyError, match='LoadRegionMasks'):
        model.loss(two_views(batch=2), None)
