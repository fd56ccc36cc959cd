"""Point-CMAE (and Point-MAE with ``num_masks=1``) on the point-patch
transformer."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from densessl.models.backbones.point_patch_transformer import (
    PreNormBlocks, position_mlp)
from densessl.models.losses import (comasked_consistency_paper,
                                    comasked_consistency_released)
from densessl.models.point_model import BasePointModel
from densessl.ops import chamfer_l2
from densessl.registry import MODELS
from densessl.structures import DataSample

CONSISTENCY = {'paper': comasked_consistency_paper,
               'released': comasked_consistency_released}


def random_group_mask(batch: int, groups: int, ratio: float,
                      device=None, generator=None) -> torch.Tensor:
    """``B x G`` bool, exactly ``floor(ratio * G)`` True per row, uniformly
    chosen (Point-MAE's ``'rand'`` mask)."""
    num_masked = int(ratio * groups)
    order = torch.rand(batch, groups, generator=generator).argsort(1)
    mask = torch.zeros(batch, groups, dtype=torch.bool)
    mask.scatter_(1, order[:, :num_masked], True)
    return mask.to(device)


def to_group_order(feats: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Decoder outputs ``B x (V + M) x C`` (visible tokens first, then masked,
    each in boolean-index order) scattered back to group order ``B x G x C``."""
    batch, groups = mask.shape
    num_visible = int((~mask[0]).sum())
    out = feats.new_zeros(batch, groups, feats.shape[-1])
    out[~mask] = feats[:, :num_visible].reshape(-1, feats.shape[-1])
    out[mask] = feats[:, num_visible:].reshape(-1, feats.shape[-1])
    return out


class MaskedPointDecoder(nn.Module):
    """One Point-MAE decoder branch: mask token, its own position MLP, 4
    blocks, LayerNorm on the masked outputs, and the Conv1d head that
    predicts ``group_size`` centre-relative points per masked group."""

    def __init__(self, embed_dim: int, depth: int, num_heads: int,
                 group_size: int, drop_path_rate: float = 0.1) -> None:
        super().__init__()
        self.group_size = group_size
        self.mask_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = position_mlp(embed_dim)
        self.blocks = PreNormBlocks(embed_dim, depth, num_heads, 4.0,
                                    drop_path_rate)
        self.norm = nn.LayerNorm(embed_dim)
        self.head = nn.Conv1d(embed_dim, 3 * group_size, 1)
        nn.init.trunc_normal_(self.mask_token, std=0.02)
        for m in self.blocks.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, visible: torch.Tensor, center_visible: torch.Tensor,
                center_masked: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Returns the predicted points ``(B * M) x K x 3`` of the masked
        groups and the full pre-LayerNorm sequence ``B x (V + M) x C``."""
        batch, num_masked = center_masked.shape[:2]
        x = torch.cat([visible,
                       self.mask_token.expand(batch, num_masked, -1)], 1)
        pos = self.pos_embed(torch.cat([center_visible, center_masked], 1))
        feats = self.blocks(x, pos)
        rec = self.norm(feats[:, -num_masked:])
        points = self.head(rec.transpose(1, 2)).transpose(1, 2)
        return points.reshape(batch * num_masked, self.group_size, 3), feats


@MODELS.register_module()
class PointCMAE(BasePointModel):
    """Point-CMAE: two independent random masks of the same groups through one
    shared encoder (each branch with its own cls token), two decoders, Chamfer
    reconstruction of each branch's masked groups, and a feature-consistency
    term on tokens masked in both branches.

    Args:
        backbone: a :class:`PointPatchTransformer` config.
        num_masks: 2 for Point-CMAE; 1 gives Point-MAE (no consistency term,
            no cls token).
        mask_ratio: masked fraction; ``floor(ratio * G)`` groups per cloud.
        decoder_depth / decoder_heads / decoder_drop_path: per decoder.
        consistency: ``'paper'`` (default: the same token in the two
            branches, as the paper describes) or ``'released'`` (the released
            code's all-pairs form).
        rec_weight / con_weight: the released runner uses 1000 and 1 (the
            1000 multiplies before backward); Point-MAE backpropagates the raw
            Chamfer distance (``rec_weight=1``).
    """

    def __init__(self, backbone: dict, num_masks: int = 2,
                 mask_ratio: float = 0.6, decoder_depth: int = 4,
                 decoder_heads: int = 6, decoder_drop_path: float = 0.1,
                 consistency: str = 'paper', rec_weight: float = 1000.0,
                 con_weight: float = 1.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if num_masks not in (1, 2):
            raise ValueError(f'num_masks must be 1 (Point-MAE) or 2 '
                             f'(Point-CMAE), got {num_masks}')
        if consistency not in CONSISTENCY:
            raise ValueError(f'consistency must be one of '
                             f'{sorted(CONSISTENCY)}, got "{consistency}"')
        if not 0 < mask_ratio < 1:
            raise ValueError(f'mask_ratio must be in (0, 1), got {mask_ratio}')
        super().__init__(backbone, data_preprocessor, init_cfg)
        dim = self.backbone.embed_dim
        self.num_masks = num_masks
        self.mask_ratio = mask_ratio
        self.consistency = consistency
        self.rec_weight = rec_weight
        self.con_weight = con_weight
        self.decoders = nn.ModuleList(
            MaskedPointDecoder(dim, decoder_depth, decoder_heads,
                               self.backbone.group_size, decoder_drop_path)
            for _ in range(num_masks))
        if num_masks == 2:  # per-branch cls token and position
            self.cls_tokens = nn.Parameter(torch.zeros(2, 1, 1, dim))
            self.cls_pos = nn.Parameter(torch.zeros(2, 1, 1, dim))
            nn.init.trunc_normal_(self.cls_tokens, std=0.02)
            nn.init.trunc_normal_(self.cls_pos, std=0.02)
        self._is_init = True  # modules initialise themselves as Point-MAE

    def extract_feat(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """The encoder's tokens ``B x G x C`` and group centres ``B x G x
        3`` of every group (no mask)."""
        return self.backbone(inputs)

    def tensor(self, inputs: torch.Tensor, data_samples=None):
        return self.extract_feat(inputs)

    def predict(self, inputs: torch.Tensor, data_samples=None
                ) -> List[DataSample]:
        """Per cloud: ``point_feats`` (L2-normalised tokens, ``G x C``),
        ``centers`` (``G x 3``) and ``global_feat`` (max-pooled tokens, the
        feature the SVM / kNN evaluations use)."""
        tokens, centers = self.extract_feat(inputs)
        samples = data_samples or [DataSample() for _ in range(len(tokens))]
        for sample, token, center in zip(samples, tokens, centers):
            sample.point_feats = F.normalize(token, dim=-1)
            sample.centers = center
            sample.global_feat = token.max(0).values
        return samples

    def _branch(self, index: int, tokens, center, neighborhood, mask):
        batch, _, dim = tokens.shape
        visible = tokens[~mask].reshape(batch, -1, dim)
        center_visible = center[~mask].reshape(batch, -1, 3)
        center_masked = center[mask].reshape(batch, -1, 3)
        prefix = prefix_pos = None
        if self.num_masks == 2:
            prefix = self.cls_tokens[index].expand(batch, -1, -1)
            prefix_pos = self.cls_pos[index].expand(batch, -1, -1)
        encoded = self.backbone.encode(visible, center_visible, prefix,
                                       prefix_pos)
        if prefix is not None:
            encoded = encoded[:, 1:]
        points, feats = self.decoders[index](encoded, center_visible,
                                             center_masked)
        target = neighborhood[mask].reshape(points.shape)
        return chamfer_l2(points, target), to_group_order(feats, mask)

    def loss(self, inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        neighborhood, center = self.backbone.group(inputs)
        tokens = self.backbone.embed(neighborhood)  # all groups: BN sees all
        batch, groups = center.shape[:2]
        masks = [random_group_mask(batch, groups, self.mask_ratio,
                                   center.device)
                 for _ in range(self.num_masks)]
        results = [self._branch(i, tokens, center, neighborhood, m)
                   for i, m in enumerate(masks)]
        losses = dict(loss_rec=self.rec_weight * sum(r[0] for r in results))
        if self.num_masks == 2:
            comask = masks[0] & masks[1]
            losses['loss_con'] = self.con_weight * CONSISTENCY[
                self.consistency](results[0][1], results[1][1], comask)
        return losses
