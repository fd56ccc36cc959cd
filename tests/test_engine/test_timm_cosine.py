"""TimmCosineLR reproduces timm 0.4.5's CosineLRScheduler as Point-MAE's
runner steps it (per epoch, after the epoch)."""
import math

import pytest
import torch

from densessl.engine.optimizers import TimmCosineLR


def reference(t, base=1e-3, t_initial=300, warmup_t=10, init=1e-6,
              lr_min=1e-6):
    """Written from timm 0.4.5's formulas (warmup_prefix=False, one cycle)."""
    if t < warmup_t:
        return init + t * (base - init) / warmup_t
    if t >= t_initial:
        return lr_min
    return lr_min + 0.5 * (base - lr_min) * (1 + math.cos(math.pi * t /
                                                          t_initial))


def test_lr_per_epoch_with_the_official_lag():
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.AdamW([param], lr=1e-3)
    scheduler = TimmCosineLR(optimizer, t_initial=300, warmup_t=10)
    lrs = []
    for _ in range(302):
        lrs.append(optimizer.param_groups[0]['lr'])
        scheduler.step()  # after the epoch
    # epochs 0 and 1 both run at the warm-up start; epoch e at lr(e - 1)
    assert lrs[0] == lrs[1] == pytest.approx(1e-6)
    for epoch in (2, 5, 11, 150, 299, 301):
        assert lrs[epoch] == pytest.approx(reference(epoch - 1), rel=1e-9)
    assert lrs[11] == pytest.approx(9.97e-4, rel=1e-3)  # check D4
    assert max(lrs) < 1e-3  # the cosine is not shifted by the warm-up


def test_no_lag():
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.AdamW([param], lr=0.5)
    scheduler = TimmCosineLR(optimizer, t_initial=4, warmup_t=1,
                             warmup_lr_init=0.0, lr_min=0.0, lag=0)
    seen = []
    for _ in range(4):
        seen.append(optimizer.param_groups[0]['lr'])
        scheduler.step()
    assert seen == pytest.approx([0.0] + [reference(t, 0.5, 4, 1, 0, 0)
                                          for t in (1, 2, 3)])
