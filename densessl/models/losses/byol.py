import torch
import torch.nn.functional as F


def byol_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``-2 * mean_n cos(pred_n, target_n)`` (BYOL without the constant)."""
    return -2 * (F.normalize(pred, dim=1) *
                 F.normalize(target, dim=1)).sum(dim=1).mean()
