"""Downstream segmentors that take pretrained backbones (2D dense
segmentation transfers through mmsegmentation)."""
from .point_part_segmentor import PointTransformerPartSegmentor
from .sparse_segmentor import SparseSegmentor

__all__ = ['PointTransformerPartSegmentor', 'SparseSegmentor']
