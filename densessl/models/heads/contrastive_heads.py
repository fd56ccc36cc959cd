from typing import Dict

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from densessl.models.losses import (dense_argmax_match, densecl_dense_loss,
                                    info_nce_with_queue)
from densessl.registry import MODELS


@MODELS.register_module()
class ContrastiveHead(BaseModule):
    """MoCo InfoNCE against a queue of negatives; ``query`` and ``key``
    (``N x D`` projections) are L2-normalised here, the queue holds
    normalised keys (``D x K``)."""

    def __init__(self, temperature: float = 0.2) -> None:
        super().__init__()
        self.temperature = temperature

    def loss(self, *, query: torch.Tensor, key: torch.Tensor,
             queue: torch.Tensor) -> Dict[str, torch.Tensor]:
        return dict(loss=info_nce_with_queue(
            F.normalize(query, dim=1), F.normalize(key, dim=1), queue,
            self.temperature))


@MODELS.register_module()
class DenseCLHead(BaseModule):
    """DenseCL's global + dense InfoNCE, weighted ``(1-lambda)`` and
    ``lambda`` (the logged values are already weighted, as the official
    code).

    Takes the raw outputs: projections ``query`` / ``key`` (``N x D``), dense
    projections ``query_grid`` / ``key_grid`` (``N x D x S``), the last
    backbone maps ``query_backbone`` / ``key_backbone`` (``N x C x H x W``),
    whose normalised features give the correspondence (argmax cosine, no
    gradient), and the two queues of normalised keys (``D x K``).
    """

    def __init__(self, temperature: float = 0.2,
                 loss_lambda: float = 0.5) -> None:
        super().__init__()
        self.temperature = temperature
        self.loss_lambda = loss_lambda

    def loss(self, *, query: torch.Tensor, key: torch.Tensor,
             query_grid: torch.Tensor, key_grid: torch.Tensor,
             query_backbone: torch.Tensor, key_backbone: torch.Tensor,
             queue: torch.Tensor, dense_queue: torch.Tensor
             ) -> Dict[str, torch.Tensor]:
        with torch.no_grad():
            match = dense_argmax_match(
                F.normalize(query_backbone.flatten(2), dim=1),
                F.normalize(key_backbone.flatten(2), dim=1))
        single = info_nce_with_queue(F.normalize(query, dim=1),
                                     F.normalize(key, dim=1), queue,
                                     self.temperature)
        dense = densecl_dense_loss(F.normalize(query_grid, dim=1),
                                   F.normalize(key_grid, dim=1), match,
                                   dense_queue, self.temperature)
        return dict(loss_single=(1 - self.loss_lambda) * single,
                    loss_dense=self.loss_lambda * dense)
