from typing import Dict, List, Optional

import torch
from torch import nn

from densessl.registry import MODELS
from densessl.structures import DataSample, stack_field
from .base import MomentumSelfSupervisor


@MODELS.register_module()
class PixPro(MomentumSelfSupervisor):
    """PixPro (Xie et al., CVPR 2021), as the official code.

    Online: backbone -> per-pixel projector (``neck``) -> PPM (in the head);
    target: momentum backbone -> momentum projector. Positives are feature
    bins whose centres (from each view's crop box) are close; the loss is
    ``-2 mean cos`` over positives, both directions summed. ``ema_decay``
    is driven from 0.99 to 1 by ``CosineEMADecayHook``.

    The optional instance branch (PixPro+) is built when
    ``instance_loss_weight > 0``: a per-pixel projector (``instance_neck``,
    with its momentum copy) and a ``BYOLHead`` (``instance_head``) whose
    per-pixel predictor output is pooled. The instance projector's momentum
    copy is part of the one ``momentum_encoder`` (its third module).
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 ema_decay: float = 0.99,
                 instance_loss_weight: float = 0.0,
                 instance_neck: Optional[dict] = None,
                 instance_head: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if instance_loss_weight > 0 and (instance_neck is None or
                                         instance_head is None):
            raise ValueError('instance_loss_weight > 0 needs instance_neck '
                             'and instance_head')
        # read by build_online_extras, before the momentum copy is made
        self.instance_loss_weight = instance_loss_weight
        self._instance_cfgs = (instance_neck, instance_head)
        super().__init__(backbone, neck, head, ema_decay, data_preprocessor,
                         init_cfg)

    def build_online_extras(self) -> None:
        if self.instance_loss_weight > 0:
            neck, head = self._instance_cfgs
            self.instance_neck = MODELS.build(self.with_in_channels(neck))
            self.instance_head = MODELS.build(head)

    @property
    def online_parts(self) -> Dict[str, nn.Module]:
        parts = dict(backbone=self.backbone, neck=self.neck)
        if self.instance_loss_weight > 0:
            parts['instance_neck'] = self.instance_neck
        return parts

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # checkpoints before the single momentum copy kept the instance
        # projector's copy apart
        old = prefix + 'momentum_instance_neck.module.'
        for key in [k for k in state_dict if k.startswith(old)]:
            state_dict[prefix + 'momentum_encoder.module.2.' +
                       key[len(old):]] = state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def loss(self, inputs: List[torch.Tensor],
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        im1, im2 = self._views(inputs, 2)[:2]
        boxes = stack_field(data_samples, 'crop_boxes').to(im1.device)
        c5_1, c5_2 = self.backbone(im1), self.backbone(im2)
        online1, online2 = self.neck(c5_1), self.neck(c5_2)
        with torch.no_grad():
            self.update_momentum()
            teacher = self.momentum_encoder
            k5_1, k5_2 = teacher.backbone(im1), teacher.backbone(im2)
            target1, target2 = teacher.neck(k5_1), teacher.neck(k5_2)
        losses = self.head.loss(online1=online1, online2=online2,
                                target1=target1, target2=target2,
                                boxes1=boxes[:, 0], boxes2=boxes[:, 1])

        if self.instance_loss_weight > 0:
            with torch.no_grad():
                t1 = teacher.instance_neck(k5_1)
                t2 = teacher.instance_neck(k5_2)
            instance = self.instance_head.loss(
                online1=self.instance_neck(c5_1),
                online2=self.instance_neck(c5_2), target1=t1, target2=t2)
            losses['loss_instance'] = \
                self.instance_loss_weight * instance['loss']
        return losses
