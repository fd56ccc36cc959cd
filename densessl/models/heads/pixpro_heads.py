from typing import Dict

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from densessl.models.necks import conv_mlp
from densessl.registry import MODELS


@MODELS.register_module()
class PixelPropagationModule(BaseModule):
    """PixPro's PPM on raw projector features ``x`` (``N x C x H x W``).

    ``y_i = sum_j max(cos(x_i, x_j), 0)^gamma * v_j`` with
    ``v = normalize(g(x))``: no normalisation of the similarity, the self
    term included. ``g`` has ``num_transform_layers`` layers: 0 = identity,
    1 = one 1x1 conv (released scripts), 2 = conv-BN-ReLU-conv. The output is
    *not* normalised here (the caller does it, as the official code).
    """

    def __init__(self, channels: int = 256, gamma: float = 2.0,
                 num_transform_layers: int = 1,
                 clamp_value: float = 0.0) -> None:
        super().__init__()
        self.gamma = gamma
        self.clamp_value = clamp_value
        if num_transform_layers == 0:
            self.transform = nn.Identity()
        elif num_transform_layers == 1:
            self.transform = nn.Conv2d(channels, channels, 1)
        elif num_transform_layers == 2:
            self.transform = conv_mlp(channels, channels, channels, 2)
        else:
            raise ValueError('num_transform_layers must be 0, 1 or 2, got '
                             f'{num_transform_layers}')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        value = F.normalize(self.transform(x), dim=1).flatten(2)
        xn = F.normalize(x, dim=1).flatten(2)
        sim = torch.bmm(xn.transpose(1, 2), xn).clamp(min=self.clamp_value)
        if self.gamma < 1:
            sim = sim + 1e-6
        sim = sim.pow(self.gamma)
        out = torch.bmm(value, sim.transpose(1, 2))
        return out.view(n, c, h, w)


@MODELS.register_module()
class PixProHead(BaseModule):
    """The pixel propagation module (online only) and the PixPro loss:
    ``L = reg(PPM(y1), t2) + reg(PPM(y2), t1)`` over positive bin pairs
    (centre distance / larger bin diagonal ``< pos_ratio``)."""

    def __init__(self, ppm: dict = dict(type='PixelPropagationModule'),
                 pos_ratio: float = 0.7) -> None:
        super().__init__()
        self.ppm = MODELS.build(ppm)
        self.pos_ratio = pos_ratio

    def loss(self, *, online1: torch.Tensor, online2: torch.Tensor,
             target1: torch.Tensor, target2: torch.Tensor,
             boxes1: torch.Tensor, boxes2: torch.Tensor
             ) -> Dict[str, torch.Tensor]:
        from densessl.models.losses import (pixpro_positive_mask,
                                            pixpro_regression_loss)
        h, w = online1.shape[-2:]
        if target1.shape[-2:] != (h, w):
            raise ValueError('online and target maps differ in size: '
                             f'{tuple(online1.shape)} vs '
                             f'{tuple(target1.shape)}')
        mask12 = pixpro_positive_mask(boxes1, boxes2, h, w, self.pos_ratio)
        pred1 = F.normalize(self.ppm(online1), dim=1)
        pred2 = F.normalize(self.ppm(online2), dim=1)
        return dict(loss_pixpro=pixpro_regression_loss(
            pred1, target2, mask12) + pixpro_regression_loss(
            pred2, target1, mask12.transpose(1, 2)))
