from typing import Dict, Optional

import torch
from mmengine.model import BaseModule

from densessl.models.losses import detcon_loss
from densessl.models.utils import (all_gather_with_grad, concat_all_gather,
                                   get_rank)
from densessl.registry import MODELS


@MODELS.register_module()
class DetConHead(BaseModule):
    """DetCon's region loss on pooled-and-projected regions.

    DetCon-B: a ``predictor`` on the online projections, contrasted with the
    momentum projections (gathered across processes without gradient).
    DetCon-S: no predictor; the online projections of both views are the
    predictions and the targets, gathered with gradient. The mask ids are
    the same for the predictions and targets of a view (official: both
    networks draw them with one RNG key).

    Args:
        predictor: a ``RegionMLPNeck`` config, or None (DetCon-S).
        temperature: 0.1 (official ``nce_loss_temperature``).
        local_negatives: the other masks of the same image are negatives
            (official default True).
    """

    def __init__(self, predictor: Optional[dict] = None,
                 temperature: float = 0.1,
                 local_negatives: bool = True) -> None:
        super().__init__()
        self.predictor = MODELS.build(predictor) if predictor else None
        self.temperature = temperature
        self.local_negatives = local_negatives

    def loss(self, *, online1: torch.Tensor, online2: torch.Tensor,
             target1: torch.Tensor, target2: torch.Tensor,
             ids1: torch.Tensor, ids2: torch.Tensor
             ) -> Dict[str, torch.Tensor]:
        if self.predictor is not None:
            online1, online2 = self.predictor(online1), self.predictor(online2)
        gather = (all_gather_with_grad if target1.requires_grad else
                  concat_all_gather)
        loss = detcon_loss(online1, online2, gather(target1),
                           gather(target2), ids1, ids2, ids1, ids2,
                           temperature=self.temperature,
                           local_negatives=self.local_negatives,
                           offset=get_rank() * online1.shape[0])
        return dict(loss=loss)
