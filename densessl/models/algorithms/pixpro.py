from typing import Dict, List, Optional

import torch

from densessl.models.utils import MomentumCopy
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
    per-pixel predictor output is pooled.
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
        super().__init__(backbone, neck, head, data_preprocessor, init_cfg)
        self.ema_decay = ema_decay
        self.instance_loss_weight = instance_loss_weight
        if instance_loss_weight > 0:
            if instance_neck is None or instance_head is None:
                raise ValueError('instance_loss_weight > 0 needs '
                                 'instance_neck and instance_head')
            self.instance_neck = MODELS.build(instance_neck)
            self.instance_head = MODELS.build(instance_head)
            self.momentum_instance_neck = MomentumCopy(self.instance_neck)

    def init_weights(self) -> None:
        super().init_weights()
        if self.instance_loss_weight > 0:
            self.momentum_instance_neck.copy_from(self.instance_neck)

    def loss(self, inputs: List[torch.Tensor],
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        im1, im2 = self._views(inputs, 2)[:2]
        boxes = stack_field(data_samples, 'crop_boxes').to(im1.device)
        c5_1, c5_2 = self.backbone(im1), self.backbone(im2)
        online1, online2 = self.neck(c5_1), self.neck(c5_2)
        with torch.no_grad():
            self.momentum_encoder.update(self.online_encoder, self.ema_decay)
            key_backbone, key_neck = self.momentum_encoder.module
            k5_1, k5_2 = key_backbone(im1), key_backbone(im2)
            target1, target2 = key_neck(k5_1), key_neck(k5_2)
        losses = dict(loss_pixpro=self.head.loss(
            online1, online2, target1, target2, boxes[:, 0], boxes[:, 1]))

        if self.instance_loss_weight > 0:
            with torch.no_grad():
                self.momentum_instance_neck.update(self.instance_neck,
                                                   self.ema_decay)
                t1 = self.momentum_instance_neck(k5_1)
                t2 = self.momentum_instance_neck(k5_2)
            loss = self.instance_head.loss(self.instance_neck(c5_1),
                                           self.instance_neck(c5_2), t1, t2)
            losses['loss_instance'] = self.instance_loss_weight * loss
        return losses
