from typing import Dict, List, Optional

import torch
import torch.nn.functional as F

from densessl.models.utils import (FeatureQueue, batch_shuffle_ddp,
                                   batch_unshuffle_ddp)
from densessl.registry import MODELS
from densessl.structures import DataSample
from .base import MomentumSelfSupervisor


@MODELS.register_module()
class MoCoV2(MomentumSelfSupervisor):
    """MoCo-v2: global InfoNCE against a queue, momentum key encoder with
    shuffle-BN (He et al. 2020; Chen et al. 2020).

    Args:
        queue_len: number of negatives (65536 official).
        feat_dim: projection dimension (128).
        ema_decay: kept fraction of the momentum weights per step (0.999).
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 queue_len: int = 65536,
                 feat_dim: int = 128,
                 ema_decay: float = 0.999,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone, neck, head, ema_decay, data_preprocessor,
                         init_cfg)
        self.queue = FeatureQueue(feat_dim, queue_len)

    def loss(self, inputs: List[torch.Tensor],
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        im_q, im_k = self._views(inputs, 2)[:2]
        q = F.normalize(self.neck(self.backbone(im_q)), dim=1)
        with torch.no_grad():
            self.update_momentum()
            im_k, unshuffle = batch_shuffle_ddp(im_k)
            k = F.normalize(self.momentum_encoder(im_k), dim=1)
            k = batch_unshuffle_ddp(k, unshuffle)
        losses = self.head.loss(q, k, self.queue.negatives())
        self.queue.enqueue(k)
        return losses
