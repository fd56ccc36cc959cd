from .mlp_necks import DenseCLNeck, MoCoV2Neck

__all__ = ['DenseCLNeck', 'MoCoV2Neck']
