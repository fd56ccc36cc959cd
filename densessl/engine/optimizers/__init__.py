from .lars import LARS
from .timm_cosine import TimmCosineLR, timm_cosine_lr

__all__ = ['LARS', 'TimmCosineLR', 'timm_cosine_lr']
