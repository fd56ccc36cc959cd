import copy

import pytest
import torch
import torch.nn.functional as F

from helpers import build, densecl_cfg, two_views


def online_and_momentum(model):
    online = list(model.online_encoder.parameters())
    momentum = list(model.momentum_encoder.module.parameters())
    return online, momentum


def test_momentum_copied_after_init_and_frozen():
    model = build(densecl_cfg())
    online, momentum = online_and_momentum(model)
    assert len(online) == len(momentum)
    for p_o, p_m in zip(online, momentum):
        assert torch.equal(p_o, p_m)
        assert not p_m.requires_grad


def test_step_invariants():
    model = build(densecl_cfg(queue_len=16, ema_decay=0.9))
    model.train()
    views = two_views(batch=4)
    online_before = [p.detach().clone()
                     for p in model.online_encoder.parameters()]
    momentum_before = [p.detach().clone()
                       for p in model.momentum_encoder.module.parameters()]
    # perturb the online weights so the EMA update is visible
    with torch.no_grad():
        for p in model.online_encoder.parameters():
            p.add_(0.01)
    online_before = [p.detach().clone()
                     for p in model.online_encoder.parameters()]

    losses = model.loss(views, None)
    assert set(losses) == {'loss_single', 'loss_dense'}
    sum(losses.values()).backward()

    # EMA: target = d * target + (1 - d) * online, before the key forward
    for p_m, m0, o0 in zip(model.momentum_encoder.module.parameters(),
                           momentum_before, online_before):
        assert torch.allclose(p_m, 0.9 * m0 + 0.1 * o0, atol=1e-6)
        assert p_m.grad is None
    # gradient reaches the online backbone and both heads
    assert model.backbone.timm_model.conv1.weight.grad is not None
    assert model.neck.mlp[2].weight.grad is not None
    assert model.neck.mlp2[0].weight.grad is not None
    # pointers advance by the batch
    assert int(model.queue.ptr) == 4
    assert int(model.dense_queue.ptr) == 4


def test_enqueued_keys_are_normalised_pooled_raw_dense_output():
    model = build(densecl_cfg(queue_len=16))
    model.train()
    views = two_views(batch=4)
    model.loss(views, None)
    key_backbone, key_neck = model.momentum_encoder.module
    with torch.no_grad():
        k, raw_dense, _ = key_neck(key_backbone(views[1]))
        expected_dense = F.normalize(raw_dense.mean(dim=2), dim=1)
        expected_global = F.normalize(k, dim=1)
    assert torch.allclose(model.dense_queue.queue[:, :4].t(), expected_dense,
                          atol=1e-5)
    assert torch.allclose(model.queue.queue[:, :4].t(), expected_global,
                          atol=1e-5)
    # ...and not the mean of the normalised per-pixel keys
    wrong = F.normalize(F.normalize(raw_dense, dim=1).mean(dim=2), dim=1)
    assert not torch.allclose(model.dense_queue.queue[:, :4].t(), wrong,
                              atol=1e-4)


def test_loss_uses_queue_from_before_the_step():
    model = build(densecl_cfg(queue_len=16))
    model.train()
    twin = copy.deepcopy(model)
    views = two_views(batch=4)
    loss = sum(model.loss(views, None).values())
    # the same step on a copy with the pre-step queues gives the same loss
    twin_pre = copy.deepcopy(twin)
    assert torch.allclose(sum(twin_pre.loss(views, None).values()), loss)
    # with the post-step queues, the loss differs
    twin.queue.queue.copy_(model.queue.queue)
    twin.dense_queue.queue.copy_(model.dense_queue.queue)
    assert not torch.allclose(sum(twin.loss(views, None).values()), loss)


def test_queue_length_must_divide_batch():
    model = build(densecl_cfg(queue_len=10))
    with pytest.raises(ValueError, match='multiple of the global batch'):
        model.loss(two_views(batch=4), None)


def test_tensor_and_predict_modes():
    model = build(densecl_cfg())
    model.eval()
    views = two_views(batch=2)
    feats = model(views, mode='tensor')
    assert feats[-1].shape == (2, 512, 2, 2)
    samples = model(views, mode='predict')
    assert samples[0].dense_feats.shape == (512, 2, 2)
    norms = samples[0].dense_feats.norm(dim=0)
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-5)


def test_one_view_is_refused_with_clear_error():
    model = build(densecl_cfg())
    with pytest.raises(ValueError, match='MultiView'):
        model.loss(two_views()[:1], None)
