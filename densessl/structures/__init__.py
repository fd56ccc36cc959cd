from .data_sample import DataSample, stack_field
from .point_batch import (PointBatch, collate_points, split_by_offset,
                          to_sparse_tensor)
from .sparse_tensor import SparseTensor, sparse_cat

__all__ = ['DataSample', 'stack_field', 'PointBatch', 'collate_points',
           'split_by_offset', 'to_sparse_tensor', 'SparseTensor',
           'sparse_cat']
