from .autocast_wrapper import AutocastOptimWrapper
from .lars import LARS
from .layer_decay import (ViTLayerDecayOptimWrapperConstructor,
                          vit_layer_id)
from .timm_cosine import TimmCosineLR, timm_cosine_lr

__all__ = ['AutocastOptimWrapper', 'LARS', 'TimmCosineLR', 'timm_cosine_lr',
           'ViTLayerDecayOptimWrapperConstructor', 'vit_layer_id']
