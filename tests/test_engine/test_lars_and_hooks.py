import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from densessl.engine.hooks import CosineEMADecayHook
from densessl.engine.optimizers import LARS


def np_lars_step(p, g, buf, lr, wd, eta, momentum, is_1d):
    """The official PixPro/SlotCon LARS, re-derived in numpy."""
    if not is_1d:
        g = g + wd * p
        pn, gn = np.linalg.norm(p), np.linalg.norm(g)
        if pn > 0 and gn > 0:
            g = g * eta * pn / (gn + 1e-8)
    buf = momentum * buf + g
    return p - lr * buf, buf


def test_lars_matches_numpy_and_skips_1d_params():
    torch.manual_seed(0)
    weight = torch.nn.Parameter(torch.randn(4, 3, dtype=torch.float64))
    bias = torch.nn.Parameter(torch.randn(4, dtype=torch.float64))
    zero = torch.nn.Parameter(torch.zeros(2, 2, dtype=torch.float64))
    opt = LARS([weight, bias, zero], lr=0.5, momentum=0.9,
               weight_decay=1e-2, eta=0.001)
    ref = {id(p): (p.detach().numpy().copy(), np.zeros(p.shape))
           for p in (weight, bias, zero)}
    for step in range(3):
        grads = {id(p): torch.randn(p.shape, dtype=torch.float64)
                 for p in (weight, bias, zero)}
        for p in (weight, bias, zero):
            p.grad = grads[id(p)].clone()
            value, buf = ref[id(p)]
            ref[id(p)] = np_lars_step(value, grads[id(p)].numpy(), buf, 0.5,
                                      1e-2, 0.001, 0.9, p.ndim == 1)
        opt.step()
    for p in (weight, bias, zero):
        assert np.allclose(p.detach().numpy(), ref[id(p)][0], atol=1e-12)
    # a zero-norm weight got no trust ratio, a bias a plain momentum step
    assert not torch.equal(zero.detach(), torch.zeros(2, 2,
                                                      dtype=torch.float64))


def test_lars_is_registered_for_configs():
    from densessl.registry import OPTIMIZERS
    opt = OPTIMIZERS.build(dict(type='LARS', lr=0.1,
                                params=[torch.nn.Parameter(torch.ones(2, 2))]))
    assert isinstance(opt, LARS)


def test_cosine_ema_decay_hook_schedule():
    model = SimpleNamespace(ema_decay=None)
    hub = SimpleNamespace(update_scalar=lambda *a: None)
    runner = SimpleNamespace(model=model, iter=0, max_iters=100,
                             message_hub=hub)
    hook = CosineEMADecayHook(base_decay=0.99)
    seen = []
    for it in (0, 25, 50, 100):
        runner.iter = it
        hook.before_train_iter(runner, it)
        seen.append(model.ema_decay)
        expected = 1 - 0.01 * (math.cos(math.pi * it / 100) + 1) / 2
        assert model.ema_decay == pytest.approx(expected)
    assert seen[0] == pytest.approx(0.99) and seen[-1] == pytest.approx(1.0)
    assert seen == sorted(seen)
