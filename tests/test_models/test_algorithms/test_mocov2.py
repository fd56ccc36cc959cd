import torch
import torch.nn.functional as F

from densessl.models.losses import info_nce_with_queue
from helpers import build, mocov2_cfg, two_views


def test_mocov2_loss_equals_infonce_of_its_parts():
    model = build(mocov2_cfg(queue_len=16, ema_decay=0.999))
    model.train()
    views = two_views(batch=4)
    queue_before = model.queue.queue.clone()
    losses = model.loss(views, None)
    with torch.no_grad():
        q = F.normalize(model.neck(model.backbone(views[0])), dim=1)
        k = F.normalize(model.momentum_encoder(views[1]), dim=1)
    expected = info_nce_with_queue(q, k, queue_before, 0.2)
    assert torch.allclose(losses['loss'], expected, atol=1e-5)
    # the key was enqueued after the loss
    assert torch.allclose(model.queue.queue[:, :4].t(), k, atol=1e-5)
    assert int(model.queue.ptr) == 4


def test_queue_wraps_around():
    model = build(mocov2_cfg(queue_len=8))
    model.train()
    for step in range(3):
        model.loss(two_views(batch=4, seed=step), None)
    assert int(model.queue.ptr) == 4  # 12 mod 8
