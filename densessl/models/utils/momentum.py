import copy
from typing import Sequence

import torch
from torch import nn

#: where each branch's backbone lives in a momentum self-supervisor's state
#: dict: the online one, and the teacher (the first part of the one copy)
BACKBONE_PREFIX = {'online': 'backbone.',
                   'teacher': 'momentum_encoder.module.0.'}


class MomentumCopy(nn.Module):
    """A momentum (EMA) copy of an online module, trained by no gradient.

    ``ema_decay`` is the fraction of the old momentum weights that is kept
    per update: ``target = ema_decay * target + (1 - ema_decay) * online``.
    Only parameters are averaged; buffers (BN statistics) evolve from the
    copy's own train-mode forward passes, as in MoCo / DenseCL / PixPro.

    ``names`` name the parts of a sequential ``online`` module: the copy of
    part ``'backbone'`` is ``copy.backbone``. The weights stay under
    ``module.<index>.`` in the state dict, so every checkpoint keeps its
    layout.
    """

    def __init__(self, online: nn.Module, names: Sequence[str] = ()) -> None:
        super().__init__()
        self.module = copy.deepcopy(online)
        self.module.requires_grad_(False)
        self.names = tuple(names)
        if self.names and len(self.names) != len(self.module):
            raise ValueError(f'{len(self.names)} names for '
                             f'{len(self.module)} parts')

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)
        except AttributeError:
            names = self.__dict__.get('names', ())
            if name in names:
                return self.module[names.index(name)]
            raise

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _pairs(self, online: nn.Module):
        own, theirs = list(self.module.parameters()), list(online.parameters())
        if len(own) != len(theirs):
            raise ValueError(f'the momentum copy has {len(own)} parameters, '
                             f'the online modules {len(theirs)}')
        return own, theirs

    @torch.no_grad()
    def copy_from(self, online: nn.Module) -> None:
        """Make the parameters equal to ``online``'s (after weight init)."""
        own, theirs = self._pairs(online)
        torch._foreach_copy_(own, theirs)

    @torch.no_grad()
    def update(self, online: nn.Module, ema_decay: float) -> None:
        if not 0.0 <= ema_decay <= 1.0:
            raise ValueError(f'ema_decay must be in [0, 1], got {ema_decay}')
        own, theirs = self._pairs(online)
        # one fused pass per list instead of two kernels per parameter
        torch._foreach_mul_(own, ema_decay)
        torch._foreach_add_(own, theirs, alpha=1.0 - ema_decay)


def cosine_ema_decay(base_decay: float, step: int, total_steps: int) -> float:
    """BYOL / PixPro / SlotCon schedule: ``base_decay -> 1`` by cosine."""
    import math
    progress = min(max(step, 0), total_steps) / max(total_steps, 1)
    return 1.0 - (1.0 - base_decay) * (math.cos(math.pi * progress) + 1) / 2
