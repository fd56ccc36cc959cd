from .checkpoint import (ATOMIC_BACKEND, AtomicLocalBackend,
                         is_plain_checkpoint_hook, use_safe_checkpoints)
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403

__all__ = ['ATOMIC_BACKEND', 'AtomicLocalBackend', 'is_plain_checkpoint_hook',
           'use_safe_checkpoints']
