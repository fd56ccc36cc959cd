from typing import Iterable

import torch
from torch.optim import Optimizer

from densessl.registry import OPTIMIZERS


@OPTIMIZERS.register_module()
class LARS(Optimizer):
    """LARS as in the official PixPro / SlotCon code.

    For every parameter with more than one dimension:
    ``g <- g + wd * p``; if ``|p| > 0`` and ``|g| > 0``:
    ``g <- g * eta * |p| / (|g| + 1e-8)``; then SGD with momentum
    (``buf <- momentum * buf + g``; ``p <- p - lr * buf``).
    1-D parameters (biases, BN weights) get **neither weight decay nor the
    trust ratio** (``exclude_1d=True``), only the momentum step.

    Args:
        eta: trust coefficient (0.001).
    """

    def __init__(self, params: Iterable, lr: float, momentum: float = 0.9,
                 weight_decay: float = 0.0, eta: float = 0.001,
                 exclude_1d: bool = True) -> None:
        if lr < 0:
            raise ValueError(f'Invalid learning rate: {lr}')
        defaults = dict(lr=lr, momentum=momentum, weight_decay=weight_decay,
                        eta=eta, exclude_1d=exclude_1d)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                grad = p.grad
                if not (group['exclude_1d'] and p.ndim == 1):
                    grad = grad.add(p, alpha=group['weight_decay'])
                    p_norm = torch.norm(p)
                    g_norm = torch.norm(grad)
                    ratio = torch.where(
                        (p_norm > 0) & (g_norm > 0),
                        group['eta'] * p_norm / (g_norm + 1e-8),
                        torch.ones_like(p_norm))
                    grad = grad.mul(ratio)
                state = self.state[p]
                if 'momentum_buffer' not in state:
                    state['momentum_buffer'] = torch.zeros_like(p)
                buf = state['momentum_buffer']
                buf.mul_(group['momentum']).add_(grad)
                p.add_(buf, alpha=-group['lr'])
        return loss
