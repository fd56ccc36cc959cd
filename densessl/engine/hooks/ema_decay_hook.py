from mmengine.hooks import Hook

from densessl.models.utils import cosine_ema_decay
from densessl.registry import HOOKS
from .runner_model import runner_model


@HOOKS.register_module()
class CosineEMADecayHook(Hook):
    """Set ``model.ema_decay`` before every iteration by the BYOL / PixPro
    / SlotCon schedule ``1 - (1 - base) (cos(pi k / K) + 1) / 2``, where
    ``k`` is the iteration and ``K`` the total number of iterations: it
    rises from ``base_decay`` to 1. Resuming continues the schedule."""

    priority = 'NORMAL'

    def __init__(self, base_decay: float = 0.99) -> None:
        if not 0.0 <= base_decay <= 1.0:
            raise ValueError(f'base_decay must be in [0, 1], got {base_decay}')
        self.base_decay = base_decay

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        model = runner_model(runner)
        model.ema_decay = cosine_ema_decay(self.base_decay, runner.iter,
                                           runner.max_iters)
        runner.message_hub.update_scalar('train/ema_decay', model.ema_decay)
