from typing import Dict, List, Optional

import torch

from densessl.registry import MODELS
from densessl.structures import DataSample
from .base import MomentumSelfSupervisor


@MODELS.register_module()
class BYOL(MomentumSelfSupervisor):
    """BYOL (Grill et al. 2020): the global baseline of PixPro / SlotCon.

    ``ema_decay`` is the kept fraction of the target weights; a
    ``CosineEMADecayHook`` moves it from 0.99 to 1 over training.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 ema_decay: float = 0.99,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone, neck, head, data_preprocessor, init_cfg)
        self.ema_decay = ema_decay

    def loss(self, inputs: List[torch.Tensor],
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        im1, im2 = self._views(inputs, 2)[:2]
        online1 = self.neck(self.backbone(im1))
        online2 = self.neck(self.backbone(im2))
        with torch.no_grad():
            self.momentum_encoder.update(self.online_encoder, self.ema_decay)
            target1 = self.momentum_encoder(im1)
            target2 = self.momentum_encoder(im2)
        return dict(loss=self.head.loss(online1, online2, target1, target2))
