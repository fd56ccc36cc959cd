"""The floor of the package: tensor operations on points and crop boxes
(FPS, KNN grouping, Chamfer distance, feature propagation, view-overlap
geometry). They import only torch, so datasets, models, evaluation and
visualisation can all use them without importing each other."""
from .geometry import align_to_overlap, overlap_in_view_frames, pixel_edges
from .point_ops import (chamfer_l2, farthest_point_sample, gather_points,
                        group_points, knn_indices, propagate_features)

__all__ = ['align_to_overlap', 'overlap_in_view_frames', 'pixel_edges',
           'chamfer_l2', 'farthest_point_sample', 'gather_points',
           'group_points', 'knn_indices', 'propagate_features']
