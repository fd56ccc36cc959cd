from .multiview import MultiViewDataPreprocessor

__all__ = ['MultiViewDataPreprocessor']
