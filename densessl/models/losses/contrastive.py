"""Contrastive losses as small pure functions (MoCo-v2, DenseCL).

All inputs are expected L2-normalised along the channel dimension.
"""
import torch


#: rows of negative logits held at a time (1024 x 65536 floats = 256 MB):
#: bounds the memory; smaller chunks make the matmuls slower on CPU (measured
#: at 784 x 65536: 282 ms in one chunk, 319 ms at 128 rows, 442 ms at 32)
QUEUE_CHUNK_ROWS = 1024


class _QueueInfoNCE(torch.autograd.Function):
    """Mean InfoNCE against a queue, with its gradient computed in the
    forward pass, at most ``QUEUE_CHUNK_ROWS`` rows at a time.

    The ``M x K`` negative logits (``K`` = 65536; ``M`` = N*S^2 rows for
    DenseCL) dominate the cost on CPU, where element-wise passes over them
    are memory-bound. The loss is a scalar, so its gradient is the upstream
    scalar times a fixed tensor: the logits are exponentiated once, in
    place, and turned into the gradient right away; neither the logits nor
    the queue are kept for the backward, so the queue may be updated in
    place right after the loss (no copy of it is needed).
    """

    @staticmethod
    def forward(ctx, scaled, positive, queue):
        rows = scaled.shape[0]
        pos = (scaled * positive).sum(dim=1)
        loss = scaled.new_zeros(())
        grad_scaled = torch.empty_like(scaled) if ctx.needs_input_grad[0] \
            else None
        prob_pos = torch.empty_like(pos)
        grad_queue = torch.zeros_like(queue) if ctx.needs_input_grad[2] \
            else None
        for start in range(0, rows, QUEUE_CHUNK_ROWS):
            part = slice(start, start + QUEUE_CHUNK_ROWS)
            exp_neg = scaled[part] @ queue
            shift = torch.maximum(exp_neg.amax(dim=1), pos[part])
            exp_neg.sub_(shift[:, None]).exp_()
            exp_pos = torch.exp(pos[part] - shift)
            partition = exp_neg.sum(dim=1) + exp_pos
            loss += (shift + torch.log(partition) - pos[part]).sum()
            prob_pos[part] = exp_pos / partition
            # d/d(neg_j) = p_j = exp_neg_j / partition: the division is
            # applied to the small operands, saving a pass over the logits
            inv_partition = partition.reciprocal()[:, None]
            if grad_scaled is not None:
                grad_scaled[part] = (exp_neg @ queue.t()).mul_(inv_partition)
            if grad_queue is not None:
                grad_queue.addmm_((scaled[part] * inv_partition).t(), exp_neg)
        ctx.save_for_backward(scaled, positive, prob_pos, grad_scaled,
                              grad_queue)
        return loss / rows

    @staticmethod
    def backward(ctx, grad_out):
        scaled, positive, prob_pos, grad_scaled, grad_queue = ctx.saved_tensors
        weight = grad_out / scaled.shape[0]
        # d/d(pos) = p_pos - 1
        coeff_pos = ((prob_pos - 1) * weight)[:, None]
        out_scaled = out_positive = out_queue = None
        if ctx.needs_input_grad[0]:
            out_scaled = grad_scaled * weight + coeff_pos * positive
        if ctx.needs_input_grad[1]:
            out_positive = coeff_pos * scaled
        if ctx.needs_input_grad[2]:
            out_queue = grad_queue * weight
        return out_scaled, out_positive, out_queue


def _full_precision(x: torch.Tensor) -> torch.Tensor:
    """float16 / bfloat16 (autocast outputs) as float32; others as they are."""
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


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
    # the concatenated, rescaled logits (see _QueueInfoNCE); in float32 under
    # autocast, as a sum over 65536 bf16 terms would lose the loss
    with torch.autocast(query.device.type, enabled=False):
        query, positive, queue = (_full_precision(t)
                                  for t in (query, positive, queue))
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
