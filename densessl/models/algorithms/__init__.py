from .base import BaseSelfSupervisor, MomentumSelfSupervisor
from .densecl import DenseCL
from .mocov2 import MoCoV2

__all__ = ['BaseSelfSupervisor', 'MomentumSelfSupervisor', 'DenseCL',
           'MoCoV2']
