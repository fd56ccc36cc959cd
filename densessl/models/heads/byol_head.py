from typing import Dict

import torch
from mmengine.model import BaseModule

from densessl.models.losses import byol_loss
from densessl.registry import MODELS


@MODELS.register_module()
class BYOLHead(BaseModule):
    """A predictor on the online branch and the symmetric BYOL loss
    ``byol(p(o1), t2) + byol(p(o2), t1)`` with ``byol = -2 mean cos``.

    4-D inputs are average-pooled after the predictor (PixPro's instance
    branch runs its MLPs per pixel, then pools).
    """

    def __init__(self, predictor: dict) -> None:
        super().__init__()
        self.predictor = MODELS.build(predictor)

    @staticmethod
    def _pool(x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3)) if x.dim() == 4 else x

    def loss(self, *, online1: torch.Tensor, online2: torch.Tensor,
             target1: torch.Tensor, target2: torch.Tensor
             ) -> Dict[str, torch.Tensor]:
        p1 = self._pool(self.predictor(online1))
        p2 = self._pool(self.predictor(online2))
        return dict(loss=byol_loss(p1, self._pool(target2)) +
                    byol_loss(p2, self._pool(target1)))
