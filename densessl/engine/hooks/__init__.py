from .densecl_warmup_hook import DenseCLWarmupHook
from .loss_curve_hook import LossCurveHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = ['DenseCLWarmupHook', 'LossCurveHook', 'SafeCheckpointHook']
