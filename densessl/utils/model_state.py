"""Run a model in eval mode for a while, then give it back as it was."""
import contextlib

from torch import nn


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
