from typing import Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from densessl.registry import MODELS


@MODELS.register_module()
class SemanticGrouping(BaseModule):
    """SlotCon's prototypes and attentive pooling into slots.

    ``dots = cos(prototype_k, z_hw)`` (``B x K x H x W``);
    ``attn = softmax_k(dots / temperature) + 1e-6``; slot ``k`` is the
    attention-weighted mean of the (un-normalised) projections over pixels.
    The temperature is 0.07 for student *and* teacher (official).
    """

    def __init__(self, num_prototypes: int = 256, dim: int = 256,
                 temperature: float = 0.07) -> None:
        super().__init__()
        self.num_prototypes = num_prototypes
        self.temperature = temperature
        self.prototypes = nn.Embedding(num_prototypes, dim)  # N(0, 1) init

    def forward(self, z: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        protos = F.normalize(self.prototypes.weight, dim=1)
        dots = torch.einsum('kc,bchw->bkhw', protos, F.normalize(z, dim=1))
        attn = (dots / self.temperature).softmax(dim=1) + 1e-6
        attn = attn.flatten(2)
        slots = torch.einsum('bkn,bcn->bkc', attn / attn.sum(dim=2,
                                                             keepdim=True),
                             z.flatten(2))
        return slots, dots


@MODELS.register_module()
class MLPHead(BaseModule):
    """DINO-style MLP on vectors: (Linear-BN1d-GELU) x (num_layers-1) ->
    Linear (SlotCon's slot predictor: 3 layers, 256 -> 4096 -> 256)."""

    def __init__(self, in_channels: int = 256, hid_channels: int = 4096,
                 out_channels: int = 256, num_layers: int = 3) -> None:
        super().__init__()
        layers, channels = [], in_channels
        for _ in range(num_layers - 1):
            layers += [nn.Linear(channels, hid_channels),
                       nn.BatchNorm1d(hid_channels), nn.GELU()]
            channels = hid_channels
        layers.append(nn.Linear(channels, out_channels))
        self.mlp = nn.Sequential(*layers)
        for m in self.mlp.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(x)


@MODELS.register_module()
class SlotConHead(BaseModule):
    """SlotCon's grouping (prototypes, with a teacher copy owned by the
    algorithm), slot predictor (student only), centering and losses.

    ``L = w [G(1->2) + G(2->1)] + (1 - w) [S(1->2) + S(2->1)]`` (summed over
    directions), ``G`` the group loss on RoIAligned score maps and ``S`` the
    slot contrastive loss over slots present in both views.
    """

    def __init__(self,
                 grouping: dict,
                 predictor: dict,
                 student_temp: float = 0.1,
                 teacher_temp: float = 0.07,
                 contrast_temp: float = 0.2,
                 center_momentum: float = 0.9,
                 group_loss_weight: float = 0.5) -> None:
        super().__init__()
        self.grouping = MODELS.build(grouping)
        self.predictor = MODELS.build(predictor)
        self.student_temp = student_temp
        self.teacher_temp = teacher_temp
        self.contrast_temp = contrast_temp
        self.center_momentum = center_momentum
        self.group_loss_weight = group_loss_weight
        self.register_buffer('center',
                             torch.zeros(1, self.grouping.num_prototypes))

    def slot_contrast(self, q_slots, q_dots, k_slots, k_dots) -> torch.Tensor:
        from densessl.models.losses import (slot_contrastive_loss,
                                            slot_presence)
        from densessl.models.utils import concat_all_gather, get_rank
        mask_q = slot_presence(q_dots).flatten()
        mask_k = slot_presence(k_dots).flatten()
        keys = F.normalize(k_slots.flatten(0, 1), dim=1)
        keys_all = concat_all_gather(keys.detach())
        mask_all = concat_all_gather(mask_k.long()).bool()
        idx_q = (mask_q & mask_k).nonzero().squeeze(1)
        if idx_q.numel() < 2:
            # BN in the predictor needs two slots; no NaN, no crash
            return q_slots.sum() * 0.0
        offset = get_rank() * mask_k.numel()
        labels = mask_all.long().cumsum(0)[idx_q + offset] - 1
        queries = F.normalize(
            self.predictor(q_slots.flatten(0, 1)[idx_q]), dim=1)
        return slot_contrastive_loss(queries, keys_all[mask_all], labels,
                                     self.contrast_temp)

    @torch.no_grad()
    def update_center(self, teacher_dots) -> None:
        import torch.distributed as dist

        from densessl.models.utils import get_world_size
        scores = torch.cat([d.permute(0, 2, 3, 1).flatten(0, 2)
                            for d in teacher_dots])
        batch_center = scores.sum(dim=0, keepdim=True)
        if get_world_size() > 1:
            dist.all_reduce(batch_center)
        batch_center = batch_center / (len(scores) * get_world_size())
        self.center.mul_(self.center_momentum).add_(
            batch_center, alpha=1 - self.center_momentum)

    def loss(self, student, teacher, overlaps, flips) -> dict:
        """``student`` / ``teacher``: ``[(slots, dots) view 1, view 2]``;
        ``overlaps``: the overlap boxes of view 1 and 2 in their frames;
        ``flips``: their flip flags."""
        from densessl.models.losses import group_loss
        from densessl.ops import align_to_overlap
        aligned_s = [align_to_overlap(d, o, f) for (_, d), o, f in zip(
            student, overlaps, flips)]
        aligned_t = [align_to_overlap(d, o, f) for (_, d), o, f in zip(
            teacher, overlaps, flips)]
        groups = sum(
            group_loss(aligned_s[a], aligned_t[b], self.center,
                       self.student_temp, self.teacher_temp)
            for a, b in ((0, 1), (1, 0)))
        slots = sum(
            self.slot_contrast(student[a][0], student[a][1], teacher[b][0],
                               teacher[b][1]) for a, b in ((0, 1), (1, 0)))
        self.update_center([teacher[0][1], teacher[1][1]])
        w = self.group_loss_weight
        return dict(loss_group=w * groups, loss_slot=(1 - w) * slots)
