from .multiview import MultiViewDataPreprocessor
from .point_cloud import PointCloudDataPreprocessor

__all__ = ['MultiViewDataPreprocessor', 'PointCloudDataPreprocessor']
