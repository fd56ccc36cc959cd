from typing import Dict

import torch
from mmengine.model import BaseModule

from densessl.models.losses import densecl_dense_loss, info_nce_with_queue
from densessl.registry import MODELS


@MODELS.register_module()
class ContrastiveHead(BaseModule):
    """MoCo InfoNCE against a queue of negatives."""

    def __init__(self, temperature: float = 0.2) -> None:
        super().__init__()
        self.temperature = temperature

    def loss(self, query: torch.Tensor, positive: torch.Tensor,
             queue: torch.Tensor) -> Dict[str, torch.Tensor]:
        return dict(loss=info_nce_with_queue(query, positive, queue,
                                             self.temperature))


@MODELS.register_module()
class DenseCLHead(BaseModule):
    """DenseCL's global + dense InfoNCE, weighted ``(1-lambda)`` and
    ``lambda`` (the logged values are already weighted, as the official
    code)."""

    def __init__(self, temperature: float = 0.2,
                 loss_lambda: float = 0.5) -> None:
        super().__init__()
        self.temperature = temperature
        self.loss_lambda = loss_lambda

    def loss(self, query: torch.Tensor, key: torch.Tensor,
             query_grid: torch.Tensor, key_grid: torch.Tensor,
             match: torch.Tensor, queue: torch.Tensor,
             dense_queue: torch.Tensor) -> Dict[str, torch.Tensor]:
        single = info_nce_with_queue(query, key, queue, self.temperature)
        dense = densecl_dense_loss(query_grid, key_grid, match, dense_queue,
                                   self.temperature)
        return dict(loss_single=(1 - self.loss_lambda) * single,
                    loss_dense=self.loss_lambda * dense)
