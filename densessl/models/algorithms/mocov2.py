from typing import Dict, List, Optional, Tuple

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

    @torch.no_grad()
    def momentum_keys(self, im_k: torch.Tensor
                      ) -> Tuple[Tuple[torch.Tensor, ...], object]:
        """The key branch: one momentum update, then the momentum backbone's
        maps and neck outputs of the key view, computed with shuffle-BN
        (every output unshuffled, CoinCheung/DenseCL#1)."""
        self.update_momentum()
        im_k, unshuffle = batch_shuffle_ddp(im_k)
        teacher = self.momentum_encoder
        feats = teacher.backbone(im_k)
        outs = teacher.neck(feats)

        def unshuffled(t):
            return batch_unshuffle_ddp(t, unshuffle)
        feats = tuple(map(unshuffled, feats))
        outs = tuple(map(unshuffled, outs)) if isinstance(outs, tuple) \
            else unshuffled(outs)
        return feats, outs

    def loss(self, inputs: List[torch.Tensor],
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        im_q, im_k = self._views(inputs, 2)[:2]
        q = self.neck(self.backbone(im_q))
        _, k = self.momentum_keys(im_k)
        losses = self.head.loss(query=q, key=k, queue=self.queue.negatives())
        self.queue.enqueue(F.normalize(k, dim=1))
        return losses
