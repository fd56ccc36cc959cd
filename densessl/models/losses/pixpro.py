"""PixPro losses as pure functions (official PixPro code, §2.3 of the
method facts)."""
import torch
import torch.nn.functional as F


def feature_bin_centres(boxes: torch.Tensor, height: int, width: int):
    """Centres of the ``height x width`` feature bins of each view in
    normalised original-image coordinates.

    Args:
        boxes: ``N x 4`` PixPro boxes ``(x1, y1, x2, y2)`` (flips swap x).

    Returns:
        ``(cx N x HW, cy N x HW, diag N)``; bins are row-major.
    """
    x1, y1, x2, y2 = boxes.unbind(dim=1)
    bin_w = (x2 - x1) / width
    bin_h = (y2 - y1) / height
    cols = torch.arange(width, device=boxes.device, dtype=boxes.dtype) + 0.5
    rows = torch.arange(height, device=boxes.device, dtype=boxes.dtype) + 0.5
    cx = (cols[None, None, :] * bin_w[:, None, None] +
          x1[:, None, None]).expand(-1, height, width)
    cy = (rows[None, :, None] * bin_h[:, None, None] +
          y1[:, None, None]).expand(-1, height, width)
    diag = torch.sqrt(bin_w**2 + bin_h**2)
    return cx.reshape(len(boxes), -1), cy.reshape(len(boxes), -1), diag


@torch.no_grad()
def pixpro_positive_mask(boxes_a: torch.Tensor, boxes_b: torch.Tensor,
                         height: int, width: int,
                         threshold: float = 0.7) -> torch.Tensor:
    """``N x HW x HW`` float mask: bin ``i`` of view a and bin ``j`` of view
    b are positives iff their centre distance, divided by the larger of the
    two views' bin diagonals, is ``< threshold`` (strict)."""
    ax, ay, a_diag = feature_bin_centres(boxes_a.float(), height, width)
    bx, by, b_diag = feature_bin_centres(boxes_b.float(), height, width)
    dist = torch.sqrt((ax[:, :, None] - bx[:, None, :])**2 +
                      (ay[:, :, None] - by[:, None, :])**2)
    max_diag = torch.maximum(a_diag, b_diag)[:, None, None]
    return (dist / max_diag < threshold).float()


def pixpro_regression_loss(pred: torch.Tensor, target: torch.Tensor,
                           mask: torch.Tensor) -> torch.Tensor:
    """``-2 * mean_n [sum_ij M cos(pred_i, target_j) / (sum_ij M + 1e-6)]``.

    Args:
        pred: ``N x C x H x W`` online outputs (PPM), any norm.
        target: ``N x C x H' x W'`` momentum outputs, any norm.
        mask: ``N x HW x H'W'`` positives. Images without a positive pair
            contribute 0 and still count in the mean.
    """
    pred = F.normalize(pred.flatten(2), dim=1)
    target = F.normalize(target.flatten(2), dim=1)
    logits = torch.bmm(pred.transpose(1, 2), target)
    per_image = (logits * mask).sum(dim=(1, 2)) / (mask.sum(dim=(1, 2)) +
                                                   1e-6)
    return -2 * per_image.mean()
