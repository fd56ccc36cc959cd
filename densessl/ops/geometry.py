"""View geometry for SlotCon: the overlap of two crops in each crop's own
frame, and RoIAlign of score maps onto it."""
from typing import Tuple

import torch


def pixel_edges(boxes: torch.Tensor, ori_shapes: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor,
                           torch.Tensor, torch.Tensor]:
    """PixPro-normalised boxes (pixel centres / (size - 1), flips swap x)
    -> un-flipped pixel-edge boxes ``(left, top, right, bottom)`` in the
    original image (``j, i, j + w, i + h``) and the flip flags."""
    h, w = ori_shapes[:, 0].to(boxes), ori_shapes[:, 1].to(boxes)
    x1, y1, x2, y2 = boxes.unbind(dim=1)
    flipped = x1 > x2
    left = torch.minimum(x1, x2) * (w - 1)
    right = torch.maximum(x1, x2) * (w - 1) + 1
    return left, y1 * (h - 1), right, y2 * (h - 1) + 1, flipped


def overlap_in_view_frames(boxes_a: torch.Tensor, boxes_b: torch.Tensor,
                           ori_shapes: torch.Tensor
                           ) -> Tuple[torch.Tensor, torch.Tensor]:
    """SlotCon's coordinates: the intersection of the two crops expressed
    in each crop's own normalised frame (``[0, 1]``), mirrored
    (``x1' = 1 - x2``, ``x2' = 1 - x1``) for a flipped view. Without overlap
    the box is inverted (``x2 < x1`` or ``y2 < y1``), as the official code.

    Returns ``(N x 4, N x 4)`` for view a and view b.
    """
    la, ta, ra, ba, fa = pixel_edges(boxes_a, ori_shapes)
    lb, tb, rb, bb, fb = pixel_edges(boxes_b, ori_shapes)
    il, it = torch.maximum(la, lb), torch.maximum(ta, tb)
    ir, ib = torch.minimum(ra, rb), torch.minimum(ba, bb)

    def frame(left, top, right, bottom, flipped):
        width, height = right - left, bottom - top
        out = torch.stack([(il - left) / width, (it - top) / height,
                           (ir - left) / width, (ib - top) / height], dim=1)
        mirrored = torch.stack([1 - out[:, 2], out[:, 1], 1 - out[:, 0],
                                out[:, 3]], dim=1)
        return torch.where(flipped[:, None], mirrored, out)

    return frame(la, ta, ra, ba, fa), frame(lb, tb, rb, bb, fb)


def align_to_overlap(maps: torch.Tensor, boxes: torch.Tensor,
                     flipped: torch.Tensor) -> torch.Tensor:
    """RoIAlign each map onto its overlap box (``aligned=True``, output size
    = input size, one bilinear sample per bin), then undo the flip, so both
    views' aligned maps cover the same image region in the same
    orientation. Empty (inverted) boxes give all-zero maps (torchvision).

    Args:
        maps: ``N x K x H x W`` (SlotCon: the raw cosine score maps).
        boxes: ``N x 4`` overlap boxes in the view's normalised frame.
        flipped: ``N`` bool.
    """
    from torchvision.ops import roi_align
    n, _, h, w = maps.shape
    scale = torch.tensor([w, h, w, h], dtype=maps.dtype, device=maps.device)
    rois = torch.cat([torch.arange(n, dtype=maps.dtype,
                                   device=maps.device)[:, None],
                      boxes.to(maps) * scale], dim=1)
    out = roi_align(maps, rois, output_size=(h, w), spatial_scale=1.0,
                    sampling_ratio=-1, aligned=True)
    return torch.where(flipped.to(maps.device)[:, None, None, None],
                       out.flip(-1), out)
