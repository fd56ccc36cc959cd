"""Point-CMAE's feature-consistency term between the two decoders' token
features, in the paper's form and the released code's form."""
import torch
import torch.nn.functional as F


def comasked_consistency_paper(feats1: torch.Tensor, feats2: torch.Tensor,
                               comask: torch.Tensor) -> torch.Tensor:
    """Paper form: mean over tokens masked in both branches of
    ``1 - cos(F1_i, F2_i)`` (the same token in the two branches).

    ``feats*``: ``B x G x C`` decoder features in group order; ``comask``:
    ``B x G`` bool. No co-masked token gives 0 (with a graph)."""
    cos = (F.normalize(feats1, dim=-1) * F.normalize(feats2, dim=-1)).sum(-1)
    weight = comask.float()
    return ((1 - cos) * weight).sum() / weight.sum().clamp(min=1)


def comasked_consistency_released(feats1: torch.Tensor, feats2: torch.Tensor,
                                  comask: torch.Tensor) -> torch.Tensor:
    """Released-code form (``models/Point_CMAE.py``): every co-masked token of
    branch 1 against **every** token of branch 2 of the same cloud,
    ``sum(1 - cos + 1e-8) / (G * #co-masked)``. Generalised from the code's
    hard-coded G = 64, C = 384 to any size."""
    sim = torch.bmm(F.normalize(feats1, dim=-1),
                    F.normalize(feats2, dim=-1).transpose(1, 2))
    weight = comask.float()[:, :, None].expand_as(sim)
    total = ((1 - sim + 1e-8) * weight).sum()
    return total / (sim.shape[2] * comask.sum()).clamp(min=1)
