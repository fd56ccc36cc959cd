"""DetCon's region masks on the feature grid (official ``detcon_b.py``):
majority vote of an image-resolution id map per feature cell, sampling of
mask ids per image, and area-normalised pooling of features under them."""
from typing import Optional, Tuple

import torch


def majority_vote_masks(mask_maps: torch.Tensor, grid: Tuple[int, int],
                        max_mask_id: int = 256) -> torch.Tensor:
    """Binary masks on the ``h x w`` feature grid, one per id.

    The official code one-hots the ``H x W`` id map over ``max_mask_id``
    ids, average-pools it with a ``H/h x W/w`` window (VALID) and keeps the
    arg-max id of each cell (the lowest id on ties), so every cell belongs
    to exactly one mask. Ids are taken modulo ``max_mask_id`` (the official
    masks are stored as uint8). Counting ids per cell gives the same
    arg-max without the ``N x 256 x H x W`` one-hot.

    Args:
        mask_maps: ``N x H x W`` integer id maps.
        grid: ``(h, w)``, the feature map size; ``H`` and ``W`` beyond a
            whole number of windows are dropped (VALID pooling).

    Returns:
        ``N x max_mask_id x (h * w)`` float masks of 0 / 1.
    """
    n, height, width = mask_maps.shape
    h, w = grid
    kh, kw = height // h, width // w
    if kh == 0 or kw == 0:
        raise ValueError(f'a {height}x{width} mask map cannot be pooled '
                         f'onto a {h}x{w} feature grid')
    ids = mask_maps[:, :kh * h, :kw * w].long() % max_mask_id
    rows = torch.arange(kh * h, device=ids.device) // kh
    cols = torch.arange(kw * w, device=ids.device) // kw
    cell = (rows[:, None] * w + cols[None, :]).expand(n, -1, -1)
    flat = (torch.arange(n, device=ids.device)[:, None, None] * (h * w) +
            cell) * max_mask_id + ids
    counts = torch.bincount(flat.reshape(-1),
                            minlength=n * h * w * max_mask_id)
    winner = counts.view(n, h * w, max_mask_id).argmax(dim=-1)
    masks = torch.zeros(n, max_mask_id, h * w, device=ids.device)
    masks.scatter_(1, winner[:, None, :], 1.0)
    return masks


def sample_mask_ids(masks: torch.Tensor, num_samples: int = 16,
                    generator: Optional[torch.Generator] = None
                    ) -> torch.Tensor:
    """``num_samples`` ids per image, drawn with replacement and uniformly
    from the masks that own at least one cell (official ``sample_masks``).

    Returns ``N x num_samples`` long ids.
    """
    exists = (masks.sum(dim=-1) > 1e-3).float()
    return torch.multinomial(exists + 1e-11, num_samples, replacement=True,
                             generator=generator)


def pool_by_masks(features: torch.Tensor, masks: torch.Tensor,
                  ids: torch.Tensor) -> torch.Tensor:
    """Average the ``N x C x h x w`` features under the sampled masks.

    Each mask is divided by ``max(area, 1)`` (official), so an empty one
    pools to zero. Returns ``N x K x C`` for ``ids`` of ``N x K``.
    """
    n, c = features.shape[:2]
    chosen = torch.gather(
        masks, 1, ids[..., None].expand(-1, -1, masks.shape[-1]))
    chosen = chosen / chosen.sum(dim=-1, keepdim=True).clamp(min=1.0)
    return torch.bmm(chosen.to(features.dtype),
                     features.reshape(n, c, -1).transpose(1, 2))
