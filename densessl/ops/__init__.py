"""The floor of the package: tensor operations on points, crop boxes and
region masks (FPS, KNN grouping, Chamfer distance, feature propagation,
view-overlap geometry, DetCon's masks on the feature grid). They import only
torch, so datasets, models, evaluation and visualisation can all use them
without importing each other."""
from .geometry import align_to_overlap, overlap_in_view_frames, pixel_edges
from .region_masks import (majority_vote_masks, pool_by_masks,
                           sample_mask_ids)
from .point_ops import (chamfer_l2, farthest_point_sample, gather_points,
                        group_points, knn_indices, propagate_features)

__all__ = ['align_to_overlap', 'overlap_in_view_frames', 'pixel_edges',
           'chamfer_l2', 'farthest_point_sample', 'gather_points',
           'group_points', 'knn_indices', 'propagate_features',
           'majority_vote_masks', 'pool_by_masks', 'sample_mask_ids']
