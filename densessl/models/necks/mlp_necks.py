from typing import Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from torch import nn

from densessl.registry import MODELS

# The official DenseCL / MoCo-v2 (OpenSelfSup) init: Kaiming fan_in on the
# Linear layers only; conv layers keep PyTorch's default init.
KAIMING_LINEAR = [dict(type='Kaiming', layer='Linear', mode='fan_in',
                       nonlinearity='relu')]


def _global_mlp(in_channels: int, hid_channels: int,
                out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.AdaptiveAvgPool2d(1), nn.Flatten(1),
        nn.Linear(in_channels, hid_channels), nn.ReLU(inplace=True),
        nn.Linear(hid_channels, out_channels))


@MODELS.register_module()
class MoCoV2Neck(BaseModule):
    """avgpool -> Linear -> ReLU -> Linear, no BN (MoCo-v2)."""

    def __init__(self, in_channels: int, hid_channels: int,
                 out_channels: int,
                 init_cfg: Optional[Sequence[dict]] = KAIMING_LINEAR) -> None:
        super().__init__(init_cfg=init_cfg)
        self.mlp = _global_mlp(in_channels, hid_channels, out_channels)

    def forward(self, feats: Tuple[torch.Tensor, ...]) -> torch.Tensor:
        return self.mlp(feats[-1])


@MODELS.register_module()
class DenseCLNeck(BaseModule):
    """DenseCL's two heads, neither with BN.

    Returns ``(global_proj N x C, dense_proj N x C x S, pooled_dense N x C)``
    where ``pooled_dense`` is the average of the *raw* dense output (it is
    normalised later, for the dense-negatives queue).

    ``num_grid`` is not offered: the dense grid must equal the backbone
    resolution, because correspondences are computed on backbone features
    (the official code crashes otherwise, mmselfsup#713).
    """

    def __init__(self, in_channels: int, hid_channels: int,
                 out_channels: int,
                 init_cfg: Optional[Sequence[dict]] = KAIMING_LINEAR) -> None:
        super().__init__(init_cfg=init_cfg)
        self.mlp = _global_mlp(in_channels, hid_channels, out_channels)
        self.mlp2 = nn.Sequential(
            nn.Conv2d(in_channels, hid_channels, 1), nn.ReLU(inplace=True),
            nn.Conv2d(hid_channels, out_channels, 1))

    def forward(
        self, feats: Tuple[torch.Tensor, ...]
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = feats[-1]
        global_proj = self.mlp(x)
        dense = self.mlp2(x)
        pooled = dense.mean(dim=(2, 3))
        return global_proj, dense.flatten(2), pooled


@MODELS.register_module()
class RegionMLPNeck(BaseModule):
    """Linear(bias) -> BN -> ReLU -> Linear(no bias) on ``... x C`` vectors
    (DetCon's projector and predictor, official ``networks.MLP``).

    All leading dimensions are flattened before the BN, so it normalises
    over batch x regions, as the official haiku BatchNorm on ``B x K x C``
    (a config's ``sync_bn`` turns it into SyncBN across processes).
    """

    def __init__(self, in_channels: int, hid_channels: int,
                 out_channels: int, last_bias: bool = False) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(in_channels, hid_channels),
            nn.BatchNorm1d(hid_channels), nn.ReLU(inplace=True),
            nn.Linear(hid_channels, out_channels, bias=last_bias))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        lead = x.shape[:-1]
        return self.mlp(x.reshape(-1, x.shape[-1])).reshape(*lead, -1)
