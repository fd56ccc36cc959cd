from typing import Tuple, Union

import torch
from mmengine.model import BaseModule
from torch import nn

from densessl.registry import MODELS


def conv_mlp(in_channels: int, hid_channels: int, out_channels: int,
             num_layers: int = 2, act: str = 'relu') -> nn.Sequential:
    """Per-pixel MLP of 1x1 convs: (conv-BN-act) x (num_layers-1) -> conv."""
    activation = dict(relu=nn.ReLU, gelu=nn.GELU)[act]
    layers = []
    channels = in_channels
    for _ in range(num_layers - 1):
        layers += [nn.Conv2d(channels, hid_channels, 1),
                   nn.BatchNorm2d(hid_channels),
                   activation() if act == 'gelu' else activation(inplace=True)]
        channels = hid_channels
    layers.append(nn.Conv2d(channels, out_channels, 1))
    return nn.Sequential(*layers)


@MODELS.register_module()
class ConvMLPNeck(BaseModule):
    """A per-pixel projector on the last backbone map.

    * PixPro's ``MLP2d``: ``num_layers=2, act='relu'`` (conv-BN-ReLU-conv).
    * SlotCon's ``DINOHead2d``: ``num_layers=3, act='gelu'``.

    * BYOL's projector: ``pool='before'`` (the MLP on the pooled ``1 x 1``
      map, where BN2d equals BN1d).

    Args:
        pool: ``'none'``, ``'before'`` or ``'after'`` the MLP (global
            average pooling; the output is then ``N x C x 1 x 1``).
        init: ``'default'`` (PyTorch's init, PixPro) or ``'trunc_normal'``
            (std 0.02, bias 0; SlotCon).
    """

    def __init__(self, in_channels: int, hid_channels: int,
                 out_channels: int, num_layers: int = 2, act: str = 'relu',
                 pool: str = 'none', init: str = 'default') -> None:
        super().__init__()
        if pool not in ('none', 'before', 'after'):
            raise ValueError(f'pool must be none, before or after, got '
                             f'"{pool}"')
        self.pool = pool
        self.mlp = conv_mlp(in_channels, hid_channels, out_channels,
                            num_layers, act)
        if init == 'trunc_normal':
            for m in self.mlp.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.trunc_normal_(m.weight, std=0.02)
                    nn.init.zeros_(m.bias)
        elif init != 'default':
            raise ValueError(f'init must be "default" or "trunc_normal", '
                             f'got "{init}"')

    def forward(self, feats: Union[torch.Tensor, Tuple[torch.Tensor, ...]]
                ) -> torch.Tensor:
        x = feats[-1] if isinstance(feats, (tuple, list)) else feats
        if self.pool == 'before':
            x = x.mean(dim=(2, 3), keepdim=True)
        x = self.mlp(x)
        if self.pool == 'after':
            x = x.mean(dim=(2, 3), keepdim=True)
        return x
