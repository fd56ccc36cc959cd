from .densecl_warmup_hook import DenseCLWarmupHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = ['DenseCLWarmupHook', 'SafeCheckpointHook']
