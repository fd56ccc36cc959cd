from .contrastive_heads import ContrastiveHead, DenseCLHead
from .pixpro_heads import BYOLHead, PixelPropagationModule, PixProHead

__all__ = ['ContrastiveHead', 'DenseCLHead', 'BYOLHead',
           'PixelPropagationModule', 'PixProHead']
