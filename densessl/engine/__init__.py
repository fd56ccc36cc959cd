from .checkpoint import allow_mmengine_checkpoints
from .hooks import *  # noqa: F401,F403

__all__ = ['allow_mmengine_checkpoints']
