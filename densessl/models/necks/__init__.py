from .conv_mlp_necks import ConvMLPNeck, conv_mlp
from .mlp_necks import DenseCLNeck, MoCoV2Neck, RegionMLPNeck

__all__ = ['ConvMLPNeck', 'conv_mlp', 'DenseCLNeck', 'MoCoV2Neck',
           'RegionMLPNeck']
