"""Point-MAE's point-patch transformer: FPS + KNN groups, a mini-PointNet per
group, and pre-norm ViT blocks with the position embedding added before
every block."""
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from torch import nn

from densessl.ops import group_points
from densessl.registry import MODELS


class MiniPointNet(nn.Module):
    """Per-group token: Conv1d(3,128)-BN-ReLU-Conv1d(128,256), max-pool,
    concat with the per-point features (512), Conv1d(512,512)-BN-ReLU-
    Conv1d(512,dim), max-pool."""

    def __init__(self, embed_dim: int = 384) -> None:
        super().__init__()
        self.first_conv = nn.Sequential(
            nn.Conv1d(3, 128, 1), nn.BatchNorm1d(128), nn.ReLU(inplace=True),
            nn.Conv1d(128, 256, 1))
        self.second_conv = nn.Sequential(
            nn.Conv1d(512, 512, 1), nn.BatchNorm1d(512), nn.ReLU(inplace=True),
            nn.Conv1d(512, embed_dim, 1))

    def forward(self, neighborhood: torch.Tensor) -> torch.Tensor:
        batch, groups, size, _ = neighborhood.shape
        x = self.first_conv(neighborhood.reshape(batch * groups, size,
                                                 3).transpose(1, 2))
        pooled = x.max(2, keepdim=True).values
        x = torch.cat([pooled.expand(-1, -1, size), x], 1)
        x = self.second_conv(x).max(2).values
        return x.reshape(batch, groups, -1)


def position_mlp(embed_dim: int) -> nn.Sequential:
    """Linear(3,128)-GELU-Linear(128,dim) on group centres."""
    return nn.Sequential(nn.Linear(3, 128), nn.GELU(),
                         nn.Linear(128, embed_dim))


class PreNormBlocks(nn.Module):
    """ViT blocks (qkv without bias) where ``x = block(x + pos)`` at every
    block, as Point-MAE's ``TransformerEncoder`` / ``TransformerDecoder``."""

    def __init__(self, embed_dim: int, depth: int, num_heads: int,
                 mlp_ratio: float = 4.0, drop_path_rate: float = 0.0) -> None:
        super().__init__()
        from timm.models.vision_transformer import Block
        rates = torch.linspace(0, drop_path_rate, depth).tolist()
        self.blocks = nn.ModuleList(
            Block(embed_dim, num_heads, mlp_ratio, qkv_bias=False,
                  drop_path=rate, norm_layer=nn.LayerNorm) for rate in rates)

    def forward(self, x: torch.Tensor, pos: torch.Tensor,
                out_indices: Optional[Sequence[int]] = None):
        """The last block's output, or the outputs of the blocks in
        ``out_indices`` (a list), as Point-MAE's segmentation encoder."""
        outs = []
        for i, block in enumerate(self.blocks):
            x = block(x + pos)
            if out_indices is not None and i in out_indices:
                outs.append(x)
        return x if out_indices is None else outs


def trunc_normal_init(module: nn.Module) -> None:
    """Point-MAE's init: trunc_normal(0.02) for Linear / Conv1d weights, zero
    bias, LayerNorm to (1, 0)."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv1d)):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


@MODELS.register_module()
class PointPatchTransformer(BaseModule):
    """Point-MAE / Point-CMAE encoder.

    ``forward(points)`` (``B x N x 3``) returns the normalised tokens
    ``B x G x C`` and the group centres ``B x G x 3``; the pretraining
    algorithms use :meth:`group`, :meth:`embed` and :meth:`encode` to drop
    masked tokens in between.

    Args:
        num_groups / group_size: G centres (FPS) x K neighbours (KNN).
        embed_dim, depth, num_heads, mlp_ratio, drop_path_rate: the ViT.
    """

    def __init__(self, num_groups: int = 64, group_size: int = 32,
                 embed_dim: int = 384, depth: int = 12, num_heads: int = 6,
                 mlp_ratio: float = 4.0, drop_path_rate: float = 0.1,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_groups = num_groups
        self.group_size = group_size
        self.embed_dim = embed_dim
        self.patch_embed = MiniPointNet(embed_dim)
        self.pos_embed = position_mlp(embed_dim)
        self.blocks = PreNormBlocks(embed_dim, depth, num_heads, mlp_ratio,
                                    drop_path_rate)
        self.norm = nn.LayerNorm(embed_dim)
        trunc_normal_init(self)

    def group(self, points: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        if points.shape[1] < self.group_size:
            raise ValueError(
                f'a cloud of {points.shape[1]} points cannot fill groups of '
                f'{self.group_size}; sample more points per cloud')
        return group_points(points[..., :3].float(), self.num_groups,
                            self.group_size)

    def embed(self, neighborhood: torch.Tensor) -> torch.Tensor:
        return self.patch_embed(neighborhood)

    def encode(self, tokens: torch.Tensor, center: torch.Tensor,
               prefix: Optional[torch.Tensor] = None,
               prefix_pos: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Blocks + final LayerNorm over ``tokens`` at ``center``; optional
        ``prefix`` tokens (e.g. a cls token, ``B x P x C``) with their own
        positions go first."""
        pos = self.pos_embed(center)
        if prefix is not None:
            tokens = torch.cat([prefix, tokens], 1)
            pos = torch.cat([prefix_pos, pos], 1)
        return self.norm(self.blocks(tokens, pos))

    def encode_layers(self, tokens: torch.Tensor, center: torch.Tensor,
                      out_indices: Sequence[int]) -> List[torch.Tensor]:
        """The outputs of blocks ``out_indices``, each through the shared
        final LayerNorm (Point-MAE's part segmentation uses blocks 4/8/12)."""
        if max(out_indices) >= len(self.blocks.blocks):
            raise ValueError(f'out_indices {tuple(out_indices)} exceed the '
                             f'{len(self.blocks.blocks)} blocks')
        outs = self.blocks(tokens, self.pos_embed(center), out_indices)
        return [self.norm(x) for x in outs]

    def forward(self, points: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        neighborhood, center = self.group(points)
        return self.encode(self.embed(neighborhood), center), center
