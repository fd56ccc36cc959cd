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

    def loss(self, inputs: List[torch.Tensor],
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        im1, im2 = self._views(inputs, 2)[:2]
        online1 = self.neck(self.backbone(im1))
        online2 = self.neck(self.backbone(im2))
        with torch.no_grad():
            self.update_momentum()
            target1 = self.momentum_encoder(im1)
            target2 = self.momentum_encoder(im2)
        return self.head.loss(online1=online1, online2=online2,
                              target1=target1, target2=target2)
