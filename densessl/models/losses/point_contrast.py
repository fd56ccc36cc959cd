"""PointContrast's PointInfoNCE as a pure function, and the cross-view point
matching it is computed on."""
from typing import Optional

import torch
import torch.nn.functional as F


def point_info_nce(query: torch.Tensor, key: torch.Tensor,
                   temperature: float = 0.4) -> torch.Tensor:
    """Mean cross-entropy of ``query @ key.T / temperature`` with the matched
    pair (row ``i`` of both) as the positive and every other sampled key as a
    negative, as the official ``PointNCELossTrainer`` (one direction, view 0
    queries). Inputs are ``M x C`` and L2-normalised."""
    logits = query @ key.t() / temperature
    return F.cross_entropy(logits, torch.arange(len(query),
                                                device=query.device))


@torch.no_grad()
def match_by_origin(origin0: torch.Tensor, offset0: torch.Tensor,
                    origin1: torch.Tensor, offset1: torch.Tensor,
                    radius: float, chunk: Optional[int] = None
                    ) -> torch.Tensor:
    """Pairs ``M x 2`` of point indices (view 0, view 1) whose coordinates
    before augmentation (``origin_coord``) are nearest neighbours within
    ``radius``, searched within each cloud of the batch (``offset``: the
    cumulative point counts). Each view-0 point has at most one partner.
    Queries go in chunks of ``chunk`` rows (by default sized so that one
    distance block holds about 2^24 entries, 64 MB)."""
    pairs = []
    starts0 = torch.cat([offset0.new_zeros(1), offset0[:-1]])
    starts1 = torch.cat([offset1.new_zeros(1), offset1[:-1]])
    for s0, e0, s1, e1 in zip(starts0.tolist(), offset0.tolist(),
                              starts1.tolist(), offset1.tolist()):
        target = origin1[s1:e1].float()
        if len(target) == 0:
            continue
        rows_per_block = chunk or max(1, (1 << 24) // len(target))
        for c in range(s0, e0, rows_per_block):
            query = origin0[c:min(c + rows_per_block, e0)].float()
            dist, nearest = torch.cdist(query, target).min(1)
            hit = dist <= radius
            rows = torch.arange(c, c + len(query), device=origin0.device)
            pairs.append(torch.stack([rows[hit], nearest[hit] + s1], 1))
    if not pairs:
        return origin0.new_zeros((0, 2), dtype=torch.long)
    return torch.cat(pairs)


def sample_pairs(pairs: torch.Tensor, num: int,
                 generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """At most ``num`` pairs drawn without replacement (all when fewer)."""
    if len(pairs) <= num:
        return pairs
    pick = torch.randperm(len(pairs), generator=generator,
                          device='cpu')[:num].to(pairs.device)
    return pairs[pick]
