import math

from mmengine.optim.scheduler.lr_scheduler import LRSchedulerMixin
from mmengine.optim.scheduler.param_scheduler import _ParamScheduler

from densessl.registry import PARAM_SCHEDULERS


def timm_cosine_lr(t: float, base_lr: float, t_initial: int, warmup_t: int,
                   warmup_lr_init: float, lr_min: float) -> float:
    """timm 0.4.5 ``CosineLRScheduler`` (one cycle, ``warmup_prefix=False``):
    linear warm-up from ``warmup_lr_init``, then cosine over the *unshifted*
    ``t / t_initial``, ``lr_min`` from ``t_initial`` on."""
    if t < warmup_t:
        return warmup_lr_init + t * (base_lr - warmup_lr_init) / warmup_t
    if t >= t_initial:
        return lr_min
    return lr_min + 0.5 * (base_lr - lr_min) * (
        1 + math.cos(math.pi * t / t_initial))


@PARAM_SCHEDULERS.register_module()
class TimmCosineLR(LRSchedulerMixin, _ParamScheduler):
    """Point-MAE's per-epoch schedule: :func:`timm_cosine_lr` stepped after
    each epoch, so epoch ``e`` trains with ``lr(max(e - lag, 0))`` (the
    official runner's one-epoch lag: epochs 0 and 1 both run at the warm-up
    start). ``lag=0`` removes the lag."""

    def __init__(self, optimizer, t_initial: int = 300, warmup_t: int = 10,
                 warmup_lr_init: float = 1e-6, lr_min: float = 1e-6,
                 lag: int = 1, **kwargs) -> None:
        self.t_initial = t_initial
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        self.lr_min = lr_min
        self.lag = lag
        kwargs.setdefault('by_epoch', True)
        super().__init__(optimizer, **kwargs)

    def _get_value(self):
        t = max(self.last_step - self.lag, 0)
        return [timm_cosine_lr(t, base, self.t_initial, self.warmup_t,
                               self.warmup_lr_init, self.lr_min)
                for base in self.base_values]
