"""Downstream segmentors that take pretrained backbones (2D dense
segmentation transfers through mmsegmentation)."""
from densessl.registry import MODELS
from densessl.utils.optional import require

from .point_part_segmentor import PointTransformerPartSegmentor
from .sparse_segmentor import SparseSegmentor


@MODELS.register_module(name='BNLinearHead')
def build_bn_linear_head(**kwargs):
    """``type='densessl.BNLinearHead'`` in an mmseg config: DINOv2's linear
    protocol (``bn_linear_head.BNLinearHead``). Built through this function
    because the class subclasses mmseg's ``BaseDecodeHead``, which the core
    install lacks."""
    require('mmseg', 'BNLinearHead')
    from mmengine.registry import DefaultScope

    from .bn_linear_head import BNLinearHead

    # the base head builds its loss from mmseg's registry, which the
    # 'densessl' scope (set while this builder runs) cannot see
    with DefaultScope.overwrite_default_scope('mmseg'):
        return BNLinearHead(**kwargs)


__all__ = ['PointTransformerPartSegmentor', 'SparseSegmentor',
           'build_bn_linear_head']
