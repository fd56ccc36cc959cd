from typing import Dict, List, Optional

import torch
import torch.nn.functional as F

from densessl.models.utils import FeatureQueue
from densessl.registry import MODELS
from densessl.structures import DataSample
from .mocov2 import MoCoV2


@MODELS.register_module()
class DenseCL(MoCoV2):
    """DenseCL (Wang et al., CVPR 2021), as the official code.

    MoCo-v2 (its key branch, queue and global InfoNCE) plus a dense InfoNCE
    whose positives are found by argmax cosine similarity of the *backbone*
    features of the two views and whose negatives come from a second queue
    of pooled-then-normalised dense keys (``dense_queue``). Not symmetrised;
    ``L = (1-lambda) L_single + lambda L_dense`` (``DenseCLHead``).

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
        super().__init__(backbone, neck, head, queue_len, feat_dim,
                         ema_decay, data_preprocessor, init_cfg)
        self.dense_queue = FeatureQueue(feat_dim, queue_len)

    def loss(self, inputs: List[torch.Tensor],
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        im_q, im_k = self._views(inputs, 2)[:2]
        q_feats = self.backbone(im_q)
        q, q_grid, _ = self.neck(q_feats)
        k_feats, (k, k_grid, k_pooled) = self.momentum_keys(im_k)
        losses = self.head.loss(
            query=q, key=k, query_grid=q_grid, key_grid=k_grid,
            query_backbone=q_feats[-1], key_backbone=k_feats[-1],
            queue=self.queue.negatives(),
            dense_queue=self.dense_queue.negatives())
        self.queue.enqueue(F.normalize(k, dim=1))
        self.dense_queue.enqueue(F.normalize(k_pooled, dim=1))
        return losses
