import pytest
import torch
from torch import nn

from densessl.models.utils import MomentumCopy


def _net(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))


def test_update_is_the_ema_of_every_parameter_and_leaves_buffers():
    online = _net(0)
    copy = MomentumCopy(online)
    with torch.no_grad():
        for p in online.parameters():
            p.add_(torch.randn_like(p))
    old = [p.clone() for p in copy.module.parameters()]
    copy.module[1].running_mean.fill_(3.0)
    copy.update(online, 0.9)
    for before, now, p_o in zip(old, copy.module.parameters(),
                                online.parameters()):
        assert torch.allclose(now, 0.9 * before + 0.1 * p_o, atol=1e-7)
        assert not now.requires_grad
    assert torch.equal(copy.module[1].running_mean, torch.full((8, ), 3.0))
    copy.copy_from(online)
    assert all(torch.equal(a, b) for a, b in zip(copy.module.parameters(),
                                                 online.parameters()))


def test_bad_decay_and_mismatched_modules_are_errors():
    online = _net(0)
    copy = MomentumCopy(online)
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        copy.update(online, 1.5)
    with pytest.raises(ValueError, match='parameters'):
        copy.update(nn.Linear(4, 8), 0.9)
