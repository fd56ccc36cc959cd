from .contrastive_heads import ContrastiveHead, DenseCLHead

__all__ = ['ContrastiveHead', 'DenseCLHead']
