from .byol_head import BYOLHead
from .contrastive_heads import ContrastiveHead, DenseCLHead
from .detcon_head import DetConHead
from .pixpro_heads import PixelPropagationModule, PixProHead
from .slotcon_heads import MLPHead, SemanticGrouping, SlotConHead

__all__ = ['ContrastiveHead', 'DenseCLHead', 'DetConHead', 'BYOLHead',
           'PixelPropagationModule', 'PixProHead', 'MLPHead',
           'SemanticGrouping', 'SlotConHead']
