from .autocast_wrapper import AutocastOptimWrapper
from .lars import LARS
from .timm_cosine import TimmCosineLR, timm_cosine_lr

__all__ = ['AutocastOptimWrapper', 'LARS', 'TimmCosineLR', 'timm_cosine_lr']
