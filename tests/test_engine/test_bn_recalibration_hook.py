from types import SimpleNamespace

import pytest
import torch
from mmengine.model import BaseModel
from torch import nn

from densessl.engine.hooks import BNRecalibrationHook


class TinyClassifier(BaseModel):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(4, 8)
        self.head = nn.Sequential(nn.Linear(8, 6), nn.BatchNorm1d(6),
                                  nn.ReLU(), nn.Dropout(0.5), nn.Linear(6, 3),
                                  nn.BatchNorm1d(3))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.head(self.backbone(inputs))


def test_head_bn_statistics_are_those_of_test_time_features():
    torch.manual_seed(0)
    model = TinyClassifier()
    batches = [dict(inputs=torch.randn(16, 4) * 3 + 1) for _ in range(3)]
    weights = {k: v.clone() for k, v in model.state_dict().items()
               if 'running' not in k and 'num_batches' not in k}
    runner = SimpleNamespace(model=model, train_dataloader=batches,
                             logger=SimpleNamespace(info=lambda msg: None))
    assert BNRecalibrationHook(views='train').recalibrate(runner) == 48

    # independent re-derivation: per batch, BN in batch-statistics mode and
    # no dropout; the running values are the plain averages over batches
    lin1, bn1, lin2 = model.head[0], model.head[1], model.head[4]
    mean1, var1, mean2 = [], [], []
    with torch.no_grad():
        for batch in batches:
            h = lin1(model.backbone(batch['inputs']))
            mean1.append(h.mean(0))
            var1.append(h.var(0, unbiased=True))
            normed = (h - h.mean(0)) / torch.sqrt(
                h.var(0, unbiased=False) + bn1.eps) * bn1.weight + bn1.bias
            mean2.append(lin2(torch.relu(normed)).mean(0))
    assert torch.allclose(bn1.running_mean, torch.stack(mean1).mean(0),
                          atol=1e-5)
    assert torch.allclose(bn1.running_var, torch.stack(var1).mean(0),
                          atol=1e-4)
    # dropout was off: the second BN saw the undropped features
    assert torch.allclose(model.head[5].running_mean,
                          torch.stack(mean2).mean(0), atol=1e-5)
    # weights untouched, momentum restored, model left in eval mode
    for key, value in weights.items():
        assert torch.equal(model.state_dict()[key], value), key
    assert bn1.momentum == 0.1 and not model.training


def test_a_module_without_batchnorm_is_named():
    model = TinyClassifier()
    runner = SimpleNamespace(model=model, train_dataloader=[],
                             logger=SimpleNamespace(info=lambda msg: None))
    with pytest.raises(ValueError, match='"backbone" has no BatchNorm'):
        BNRecalibrationHook(module='backbone',
                            views='train').recalibrate(runner)
