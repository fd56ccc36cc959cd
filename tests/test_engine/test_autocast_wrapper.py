import pytest
import torch
from torch import nn

from densessl.engine.optimizers import AutocastOptimWrapper


def test_forward_runs_in_bfloat16_and_updates_float32_weights():
    model = nn.Linear(4, 3)
    wrapper = AutocastOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.randn(8, 4))
        assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().pow(2).mean())
    assert model.weight.dtype == torch.float32
    assert not torch.equal(model.weight, before)


def test_queue_info_nce_stays_float32_under_autocast():
    from densessl.models.losses import info_nce_with_queue
    torch.manual_seed(0)
    q = nn.functional.normalize(torch.randn(6, 8), dim=1)
    k = nn.functional.normalize(torch.randn(6, 8), dim=1)
    queue = nn.functional.normalize(torch.randn(8, 64), dim=0)
    exact = info_nce_with_queue(q, k, queue, 0.2)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        mixed = info_nce_with_queue(q.bfloat16(), k, queue, 0.2)
    assert mixed.dtype == torch.float32
    # only the bf16 rounding of the query remains
    assert abs(float(mixed) - float(exact)) < 2e-2


def test_bad_dtype():
    with pytest.raises(ValueError, match='bfloat16 or float16'):
        AutocastOptimWrapper(dtype='float64', optimizer=torch.optim.SGD(
            nn.Linear(2, 2).parameters(), lr=0.1))
