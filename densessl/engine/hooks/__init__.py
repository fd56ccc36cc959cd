from .densecl_warmup_hook import DenseCLWarmupHook
from .ema_decay_hook import CosineEMADecayHook
from .loss_curve_hook import LossCurveHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = ['CosineEMADecayHook', 'DenseCLWarmupHook', 'LossCurveHook',
           'SafeCheckpointHook']
