from .checkpoint import setup_checkpointing, use_atomic_local_writes
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403

__all__ = ['setup_checkpointing', 'use_atomic_local_writes']
