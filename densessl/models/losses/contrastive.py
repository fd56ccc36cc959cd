"""Contrastive losses as small pure functions (MoCo-v2, DenseCL).

All inputs are expected L2-normalised along the channel dimension.
"""
import torch
import torch.nn.functional as F


def info_nce_with_queue(query: torch.Tensor, positive: torch.Tensor,
                        queue: torch.Tensor,
                        temperature: float) -> torch.Tensor:
    """MoCo InfoNCE: ``CE([q.k+, q.Queue] / T, label 0)``, mean over rows.

    Args:
        query: ``M x C`` queries.
        positive: ``M x C`` positive keys (no gradient expected).
        queue: ``C x K`` negatives.
        temperature: softmax temperature ``T``.
    """
    # Equal to F.cross_entropy(cat([pos, neg]) / T, 0) but without
    # materialising the concatenated and rescaled M x (1+K) logits: with
    # K = 65536 and M = N*S dense rows, that copy dominated the step time.
    scaled = query / temperature
    pos = (scaled * positive).sum(dim=1)
    neg = scaled @ queue
    log_partition = torch.logaddexp(pos, torch.logsumexp(neg, dim=1))
    return (log_partition - pos).mean()


@torch.no_grad()
def dense_argmax_match(query_feats: torch.Tensor,
                       key_feats: torch.Tensor) -> torch.Tensor:
    """DenseCL correspondence: for every query location the key location of
    highest cosine similarity (one-directional, no threshold).

    Args:
        query_feats: ``N x C x S`` normalised backbone features, query view.
        key_feats: ``N x C x S'`` normalised backbone features, key view.

    Returns:
        ``N x S`` indices into the key locations.
    """
    sim = torch.einsum('ncs,nct->nst', query_feats, key_feats)
    return sim.argmax(dim=2)


def densecl_dense_loss(query_grid: torch.Tensor, key_grid: torch.Tensor,
                       match: torch.Tensor, queue: torch.Tensor,
                       temperature: float) -> torch.Tensor:
    """DenseCL dense InfoNCE over all ``N*S`` query locations.

    Args:
        query_grid: ``N x C x S`` normalised dense projections (online).
        key_grid: ``N x C x S'`` normalised dense projections (momentum).
        match: ``N x S`` matched key location per query location.
        queue: ``C x K`` pooled dense keys of other images.
    """
    n, c, s = query_grid.shape
    index = match.unsqueeze(1).expand(n, c, s)
    positive = torch.gather(key_grid, 2, index)
    # n-major row order, as the official code
    q_rows = query_grid.permute(0, 2, 1).reshape(-1, c)
    k_rows = positive.permute(0, 2, 1).reshape(-1, c)
    return info_nce_with_queue(q_rows, k_rows, queue, temperature)
