from mmengine.hooks import Hook

from densessl.registry import HOOKS
from .runner_model import runner_model


@HOOKS.register_module()
class DenseCLWarmupHook(Hook):
    """Train with the global loss only for the first ``start_iters``
    iterations (``loss_lambda = 0``), then restore the configured lambda.

    The official code ships this hook but registers it in no released config;
    densessl does the same (off by default).
    """

    def __init__(self, start_iters: int = 1000) -> None:
        self.start_iters = start_iters
        self._lambda = None

    def _head(self, runner):
        model = runner_model(runner)
        return model.head

    def before_train(self, runner) -> None:
        self._lambda = self._head(runner).loss_lambda

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        head = self._head(runner)
        head.loss_lambda = 0.0 if runner.iter < self.start_iters \
            else self._lambda
