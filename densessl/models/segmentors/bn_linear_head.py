"""DINOv2's linear segmentation protocol as an mmsegmentation decode head.

mmseg has no head that is only "normalise, then one 1x1 convolution": its
``FCNHead(num_convs=0)`` skips the normalisation. DINOv2 evaluates frozen ViT
patch maps with such a head (``BNHead`` in
``dinov2/eval/segmentation/models/decode_heads/linear_head.py``): the chosen
levels resized to the first one's grid and concatenated, a BatchNorm (SyncBN
in its configs) over the concatenation, dropout, and the 1x1 classifier;
logits at patch resolution, upsampled bilinearly by mmseg's loss / predict.

This module imports mmseg; it is reached through the ``BNLinearHead``
builder in ``densessl.models.segmentors`` so that densessl imports without
the transfer extras.
"""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmseg.models.decode_heads.decode_head import BaseDecodeHead


class BNLinearHead(BaseDecodeHead):
    """Resize-concat -> norm -> dropout -> 1x1 conv.

    Args:
        resize_factors: optional scale per selected level, applied before the
            levels are brought to the first one's grid (bilinear up, area
            down), as DINOv2's head allows.
        norm_cfg: the normalisation over the concatenated channels
            (``dict(type='SyncBN')`` in DINOv2's configs; ``'BN'`` on one
            process).
        **kwargs: ``BaseDecodeHead``'s (``in_channels`` and ``in_index`` as
            lists, ``channels`` = their sum, ``num_classes``, ...).
            ``input_transform`` is always ``'resize_concat'``.
    """

    def __init__(self,
                 resize_factors: Optional[Sequence[float]] = None,
                 norm_cfg: dict = dict(type='BN'),
                 **kwargs) -> None:
        kwargs['input_transform'] = 'resize_concat'
        super().__init__(norm_cfg=norm_cfg, **kwargs)
        if self.channels != self.in_channels:
            raise ValueError(
                f'BNLinearHead: channels ({self.channels}) must equal the sum '
                f'of in_channels ({self.in_channels}): the head has no '
                'projection before its classifier')
        if resize_factors is not None and \
                len(resize_factors) != len(self.in_index):
            raise ValueError(
                f'BNLinearHead: {len(resize_factors)} resize_factors for '
                f'{len(self.in_index)} levels in in_index')
        self.resize_factors = resize_factors
        self.bn = build_norm_layer(norm_cfg, self.in_channels)[1]

    def _transform_inputs(self, inputs: List[torch.Tensor]) -> torch.Tensor:
        if self.resize_factors is None:
            return super()._transform_inputs(inputs)
        picked = [inputs[i] for i in self.in_index]
        scaled = [F.interpolate(x, scale_factor=f,
                                mode='bilinear' if f >= 1 else 'area')
                  for x, f in zip(picked, self.resize_factors)]
        size = scaled[0].shape[2:]
        return torch.cat([F.interpolate(x, size=size, mode='bilinear',
                                        align_corners=self.align_corners)
                          for x in scaled], dim=1)

    def forward(self, inputs: List[torch.Tensor]) -> torch.Tensor:
        return self.cls_seg(self.bn(self._transform_inputs(inputs)))
