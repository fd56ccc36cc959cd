from .multiview import MultiViewDataPreprocessor
from .point_cloud import PointCloudDataPreprocessor
from .sparse_point import SparsePointDataPreprocessor

__all__ = ['MultiViewDataPreprocessor', 'PointCloudDataPreprocessor',
           'SparsePointDataPreprocessor']
