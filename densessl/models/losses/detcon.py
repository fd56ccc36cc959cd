"""DetCon's contrastive loss over pooled regions (official
``utils/losses.py::byol_nce_detcon``), as a pure function."""
import torch
import torch.nn.functional as F

#: the official code's stand-in for infinity when masking logits
_INFINITY = 1e9


def _same_object(ind_a: torch.Tensor, ind_b: torch.Tensor) -> torch.Tensor:
    """``N x K x K``: 1 where sample ``i`` of ``a`` and ``j`` of ``b`` carry
    the same mask id (one image at a time)."""
    return (ind_a[:, :, None] == ind_b[:, None, :]).float()


def _one_direction(pred: torch.Tensor, target_other: torch.Tensor,
                   target_same: torch.Tensor, pind: torch.Tensor,
                   tind_other: torch.Tensor, tind_same: torch.Tensor,
                   offset: int, temperature: float,
                   local_negatives: bool) -> torch.Tensor:
    n, k = pind.shape
    images = target_other.shape[0]
    own = torch.zeros(n, images, device=pred.device)
    own[torch.arange(n), torch.arange(n) + offset] = 1.0
    own = own[:, None, :, None]                               # N,1,B',1
    same_other = _same_object(pind, tind_other)[:, :, None]   # N,K,1,K
    same_self = _same_object(pind, tind_same)[:, :, None]

    logits_other = torch.einsum('nkd,umd->nkum', pred,
                                target_other) / temperature
    logits_same = torch.einsum('nkd,umd->nkum', pred,
                               target_same) / temperature
    # the anchor's own mask (and its duplicates) in its own view is no
    # negative; positives are the same mask id in the other view
    logits_same = logits_same - _INFINITY * own * same_self
    labels = own * same_other
    if not local_negatives:
        logits_other = logits_other - _INFINITY * own * (1 - same_other)
        logits_same = logits_same - _INFINITY * own * (1 - same_self)

    logits = torch.cat([logits_other, logits_same], dim=2).reshape(n, k, -1)
    labels = torch.cat([labels, torch.zeros_like(labels.expand_as(
        logits_same))], dim=2).reshape(n, k, -1)
    positives = labels.sum(dim=-1, keepdim=True)
    labels = labels / positives.clamp(min=1.0)
    # each distinct mask counts once per view; unmatched anchors weigh 0
    duplicates = _same_object(pind, pind).sum(dim=-1)
    weights = (positives[..., 0] > 1e-3).float() / duplicates
    ce = -weights * (labels * F.log_softmax(logits, dim=-1)).sum(dim=-1)
    return ce.mean()


def detcon_loss(pred1: torch.Tensor, pred2: torch.Tensor,
                target1: torch.Tensor, target2: torch.Tensor,
                pind1: torch.Tensor, pind2: torch.Tensor,
                tind1: torch.Tensor, tind2: torch.Tensor,
                temperature: float = 0.1, local_negatives: bool = True,
                offset: int = 0) -> torch.Tensor:
    """DetCon's symmetric region InfoNCE (Hénaff et al. 2021, Eq. 3).

    Each prediction ``pred1[b, i]`` (mask id ``pind1[b, i]``) is contrasted
    against every target of both views in the (global) batch at
    ``temperature``. Positives: the targets of image ``b`` in view 2 with the
    same id (uniform target distribution over them). Its own id in view 1 is
    masked out; everything else, including the other masks of the same image
    (``local_negatives``), is a negative. Anchors without a positive weigh
    0, ``k`` repeated draws of one id weigh ``1 / k`` each, the mean is
    over all ``N x K`` anchors, and the two directions are **summed**.

    Args:
        pred1, pred2: ``N x K x D`` predictions (normalised here).
        target1, target2: ``N' x K x D`` targets of the global batch
            (gathered across processes; normalised here).
        pind1, pind2: ``N x K`` mask ids of the predictions.
        tind1, tind2: ``N x K`` mask ids of this process's targets.
        offset: index of this process's first image in the global batch.
    """
    pred1, pred2 = F.normalize(pred1, dim=-1), F.normalize(pred2, dim=-1)
    target1 = F.normalize(target1, dim=-1)
    target2 = F.normalize(target2, dim=-1)
    loss_a = _one_direction(pred1, target2, target1, pind1, tind2, tind1,
                            offset, temperature, local_negatives)
    loss_b = _one_direction(pred2, target1, target2, pind2, tind1, tind2,
                            offset, temperature, local_negatives)
    return loss_a + loss_b
