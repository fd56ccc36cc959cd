from mmengine.dist import get_rank
from mmengine.hooks import Hook

from densessl.registry import HOOKS
from densessl.utils.random import derived_seed, seed_all


@HOOKS.register_module()
class StepSeedHook(Hook):
    """Seed Python, NumPy and torch before every training iteration from
    (run seed, iteration, rank).

    What the model draws in a step (drop-path, DetCon's mask ids,
    Point-CMAE's masks, ...) then depends only on the step, not on the
    history of the process, so a run resumed from a checkpoint draws the
    same numbers as the uninterrupted run; no generator state has to be
    stored in checkpoints. Ranks draw different numbers. The views come
    from :class:`~densessl.datasets.samplers.SeededSampler`."""

    priority = 'VERY_HIGH'

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        seed_all(derived_seed(runner.seed, runner.iter, get_rank()))
