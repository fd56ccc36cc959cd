from .mink_unet import MinkUNet
from .point_patch_transformer import PointPatchTransformer
from .timm_backbone import TimmBackbone

__all__ = ['MinkUNet', 'PointPatchTransformer', 'TimmBackbone']
