"""SlotCon losses as pure functions (official SlotCon code, Part A of the
method facts)."""
import torch
import torch.nn.functional as F


def group_loss(student_scores: torch.Tensor, teacher_scores: torch.Tensor,
               center: torch.Tensor, student_temp: float = 0.1,
               teacher_temp: float = 0.07) -> torch.Tensor:
    """Cross-view distillation of pixel-to-prototype assignments.

    ``-mean_{b,u} sum_k softmax((t - c) / T_t)_k log softmax(s / T_s)_k`` over
    all ``B x H x W`` aligned positions.

    Args:
        student_scores: ``B x K x H x W`` aligned raw cosine scores
            (student, one view).
        teacher_scores: ``B x K x H x W`` aligned raw cosine scores
            (teacher, the other view; no gradient).
        center: ``1 x K`` running mean of teacher scores.
    """
    target = F.softmax((teacher_scores - center[:, :, None, None]) /
                       teacher_temp, dim=1)
    log_pred = F.log_softmax(student_scores / student_temp, dim=1)
    return -(target * log_pred).sum(dim=1).mean()


@torch.no_grad()
def slot_presence(scores: torch.Tensor) -> torch.Tensor:
    """``B x K`` bool: prototype k wins (argmax over K) at least one pixel
    of the full score map ``B x K x H x W``."""
    k = scores.shape[1]
    winners = scores.argmax(dim=1).flatten(1)
    present = torch.zeros(scores.shape[0], k, dtype=torch.bool,
                          device=scores.device)
    present.scatter_(1, winners, True)
    return present


def slot_contrastive_loss(queries: torch.Tensor, keys: torch.Tensor,
                          labels: torch.Tensor,
                          temperature: float = 0.2) -> torch.Tensor:
    """InfoNCE of predicted student slots against all present teacher slots,
    scaled by ``2 * temperature`` (as the official ``ctr_loss_filtered``).

    Args:
        queries: ``P x C`` normalised predictions of the selected slots.
        keys: ``M x C`` normalised teacher slots (gathered over processes).
        labels: ``P`` index of each query's positive among ``keys``.
    """
    logits = queries @ keys.t() / temperature
    return F.cross_entropy(logits, labels) * 2 * temperature
