from typing import Dict, List, Optional

import torch
import torch.nn.functional as F

from densessl.models.losses import dense_argmax_match
from densessl.models.utils import (FeatureQueue, batch_shuffle_ddp,
                                   batch_unshuffle_ddp)
from densessl.registry import MODELS
from densessl.structures import DataSample
from .base import MomentumSelfSupervisor


@MODELS.register_module()
class DenseCL(MomentumSelfSupervisor):
    """DenseCL (Wang et al., CVPR 2021), as the official code.

    Global MoCo-v2 InfoNCE plus a dense InfoNCE whose positives are found by
    argmax cosine similarity of the *backbone* features of the two views and
    whose negatives come from a second queue of pooled-then-normalised dense
    keys. Not symmetrised; ``L = (1-lambda) L_single + lambda L_dense``.

    Args:
        queue_len: length of both queues (65536).
        feat_dim: projection dimension (128).
        ema_decay: kept fraction of the momentum weights per step (0.999,
            constant).
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
        self.dense_queue = FeatureQueue(feat_dim, queue_len)

    def loss(self, inputs: List[torch.Tensor],
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        im_q, im_k = self._views(inputs, 2)[:2]
        q_feats = self.backbone(im_q)
        q, q_grid, _ = self.neck(q_feats)
        q = F.normalize(q, dim=1)
        q_grid = F.normalize(q_grid, dim=1)
        q_b = F.normalize(q_feats[-1].flatten(2), dim=1)

        with torch.no_grad():
            self.update_momentum()
            im_k, unshuffle = batch_shuffle_ddp(im_k)
            key_backbone, key_neck = self.momentum_encoder.module
            k_feats = key_backbone(im_k)
            k, k_grid, k_pooled = key_neck(k_feats)
            k = F.normalize(k, dim=1)
            k_pooled = F.normalize(k_pooled, dim=1)
            k_grid = F.normalize(k_grid, dim=1)
            k_b = F.normalize(k_feats[-1].flatten(2), dim=1)
            # every key output is unshuffled (CoinCheung/DenseCL#1)
            k, k_pooled, k_grid, k_b = (batch_unshuffle_ddp(t, unshuffle)
                                        for t in (k, k_pooled, k_grid, k_b))
            match = dense_argmax_match(q_b.detach(), k_b)

        losses = self.head.loss(q, k, q_grid, k_grid, match,
                                self.queue.negatives(),
                                self.dense_queue.negatives())
        self.queue.enqueue(k)
        self.dense_queue.enqueue(k_pooled)
        return losses
