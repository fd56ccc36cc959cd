"""Run a model in eval mode for a while, then give it back as it was;
re-estimate BatchNorm statistics."""
import contextlib
from typing import Iterator, List

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


@contextlib.contextmanager
def evaluating(model: nn.Module):
    """``with evaluating(model):`` eval mode inside (BN uses its running
    statistics, dropout is off); the model's train / eval mode afterwards is
    what it was before, also when the block raises."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def batchnorm_layers(module: nn.Module) -> List[_BatchNorm]:
    """Every BatchNorm layer (1d / 2d / 3d, sync) inside ``module``."""
    return [m for m in module.modules() if isinstance(m, _BatchNorm)]


@contextlib.contextmanager
def reestimating_bn(layers: List[_BatchNorm]) -> Iterator[List[_BatchNorm]]:
    """``with reestimating_bn(layers):`` the BatchNorm ``layers`` start
    their running statistics afresh, in train mode, and weigh every batch
    the same (a plain average: momentum ``None``); afterwards each has its
    momentum back. The modes of the model around them are the caller's."""
    momenta = [m.momentum for m in layers]
    for m in layers:
        m.reset_running_stats()
        m.momentum = None
        m.train()
    try:
        yield layers
    finally:
        for m, momentum in zip(layers, momenta):
            m.momentum = momentum
