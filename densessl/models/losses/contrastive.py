"""Contrastive losses as small pure functions (MoCo-v2, DenseCL).

All inputs are expected L2-normalised along the channel dimension.
"""
import torch


class _QueueInfoNCE(torch.autograd.Function):
    """Mean InfoNCE against a queue with a hand-written backward.

    The ``M x K`` negative logits (``K`` = 65536; ``M`` = N*S^2 rows for
    DenseCL) dominate the cost on CPU, where element-wise passes over them
    are memory-bound. The forward exponentiates them once, in place, and the
    backward reuses those values (``softmax = exp / sum``) instead of
    recomputing ``exp(logits - lse)`` as autograd's logsumexp does.
    """

    @staticmethod
    def forward(ctx, scaled, positive, queue):
        pos = (scaled * positive).sum(dim=1)
        exp_neg = scaled @ queue
        shift = torch.maximum(exp_neg.amax(dim=1), pos)
        exp_neg.sub_(shift[:, None]).exp_()
        exp_pos = torch.exp(pos - shift)
        partition = exp_neg.sum(dim=1) + exp_pos
        loss = (shift + torch.log(partition) - pos).mean()
        ctx.save_for_backward(scaled, positive, queue, exp_neg,
                              exp_pos / partition, partition)
        return loss

    @staticmethod
    def backward(ctx, grad_out):
        scaled, positive, queue, exp_neg, prob_pos, partition = \
            ctx.saved_tensors
        rows = scaled.shape[0]
        weight = grad_out / rows
        # d/d(pos) = p_pos - 1 ; d/d(neg_j) = p_j = exp_neg_j / partition
        coeff_pos = ((prob_pos - 1) * weight)[:, None]
        grad_scaled = grad_positive = grad_queue = None
        if ctx.needs_input_grad[0]:
            grad_scaled = (exp_neg @ queue.t()) * (weight / partition)[:, None]
            grad_scaled = grad_scaled + coeff_pos * positive
        if ctx.needs_input_grad[1]:
            grad_positive = coeff_pos * scaled
        if ctx.needs_input_grad[2]:
            grad_queue = scaled.t() @ (exp_neg * (weight / partition)[:, None])
        return grad_scaled, grad_positive, grad_queue


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
    # equal to F.cross_entropy(cat([pos, neg]) / T, 0) without materialising
    # the concatenated, rescaled logits (see _QueueInfoNCE)
    return _QueueInfoNCE.apply(query / temperature, positive, queue)


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
